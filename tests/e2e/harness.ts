/**
 * End-to-end harness: the built renderer in real Chromium, with `window.clinic` installed over the
 * real main-process handler registry (the one electron/main serves), so clicks travel through real
 * services, policy and SQLite. Files are served with the shell's own security headers (CSP).
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import { sessionInfo } from '../../electron/handlers';
import { APP_ORIGIN } from '../../electron/security';
import { serveRendererFile } from '../../electron/rendererFiles';
import { demoHospital, DEMO_PASSWORD, DEMO_PIN } from '../../src/demo/hospital';
import type { SystemConfig } from '../../electron/config';
import { openTestWorkstation, type TestWorkstation } from '../helpers/workstation';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const RENDERER = path.join(ROOT, 'dist-renderer');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const NOW = '2026-11-23T10:00:00.000Z';
export { DEMO_PASSWORD, DEMO_PIN };

async function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const r = serveRendererFile(RENDERER, `${APP_ORIGIN}${req.url ?? '/'}`);
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

export interface Harness {
  t: TestWorkstation;
  url: string;
  /** Opens the app at a hash route (e.g. '#/census'). */
  open(hash?: string): Promise<void>;
  signIn(username: string, password?: string): Promise<void>;
  shot(name: string): Promise<void>;
  /** Advances both clocks: the main process's and the page's. */
  advanceMinutes(minutes: number): Promise<void>;
  consoleErrors: string[];
}

export const test = base.extend<{ harness: Harness; fixture: unknown; workstationConfig: Partial<SystemConfig> }>({
  fixture: [
    async ({}, use: (f: unknown) => Promise<void>) => {
      await use(demoHospital(NOW));
    },
    { option: true },
  ],
  /** The system configuration IT would install (e.g. the workstation's facility). */
  workstationConfig: [{}, { option: true }],
  harness: async ({ page, fixture, workstationConfig }, use) => {
    const t = await openTestWorkstation(fixture, workstationConfig);
    const { server, url } = await serveRenderer();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.clock.install({ time: new Date(NOW) });
    await page.exposeBinding('__clinicInvoke', async (_source, channel: unknown, request: unknown) =>
      t.dispatch(channel, request),
    );
    await page.addInitScript(() => {
      const listeners = new Set<(e: unknown) => void>();
      (window as unknown as { __clinicEmit: (e: unknown) => void }).__clinicEmit = (e) => {
        for (const l of listeners) l(e);
      };
      const invoke = (window as unknown as { __clinicInvoke: (c: string, r: unknown) => Promise<unknown> }).__clinicInvoke;
      Object.defineProperty(window, 'clinic', {
        value: Object.freeze({
          invoke: (channel: string, request: unknown) => invoke(String(channel), request),
          onEvent: (l: (e: unknown) => void) => {
            listeners.add(l);
            return () => listeners.delete(l);
          },
        }),
        writable: false,
      });
    });
    // Main pushes session changes (auto-lock) to the window, as electron/main does.
    const off = t.ws.session.onChange(() => {
      void sessionInfo(t.ws)
        .then((session) =>
          page.evaluate(
            (s) => (window as unknown as { __clinicEmit: (e: unknown) => void }).__clinicEmit({ type: 'session', session: s }),
            session,
          ),
        )
        .catch(() => undefined);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    const h: Harness = {
      t,
      url,
      consoleErrors,
      async open(hash = '') {
        await page.goto(`${url}/index.html${hash}`);
      },
      async signIn(username, password = DEMO_PASSWORD) {
        // Required fields add " *" to their label, so match the label loosely.
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      },
      async shot(name) {
        await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
      },
      async advanceMinutes(minutes) {
        t.clock.advanceMinutes(minutes);
        await page.clock.fastForward(minutes * 60_000);
      },
    };
    await use(h);
    off();
    server.close();
    await t.close();
  },
});

export { expect };
export type { Page };

/** Signs in on the sign-in screen by username and password and waits for the main navigation. */
export async function signIn(page: Page, username: string, password: string = DEMO_PASSWORD): Promise<void> {
  await page.getByLabel(/^Username/).fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

/** Reads a PNG's size (for "the screenshot exists and is a real page"). */
export function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
