/**
 * The shell's security, checked without the Electron binary: every window the shell creates is
 * built through createMainWindow, so a fake BrowserWindow records its options and handlers.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveRendererFile } from '../../electron/rendererFiles';
import { APP_ENTRY, CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../electron/security';
import { createMainWindow, isTrustedSender, type ContentsLike, type WindowLike } from '../../electron/windows';

class FakeContents implements ContentsLike {
  openHandler?: (d: { url: string }) => { action: 'deny' };
  listeners = new Map<string, (...a: unknown[]) => void>();
  permissionRequest?: (wc: unknown, permission: string, cb: (granted: boolean) => void) => void;
  permissionCheck?: () => boolean;
  mainFrame = { url: APP_ENTRY };
  session = {
    setPermissionRequestHandler: (h: FakeContents['permissionRequest']) => {
      this.permissionRequest = h;
    },
    setPermissionCheckHandler: (h: () => boolean) => {
      this.permissionCheck = h;
    },
  };
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = h;
  }
  on(event: string, listener: (...a: never[]) => void): this {
    this.listeners.set(event, listener as never);
    return this;
  }
}

const created: Array<{ options: Record<string, unknown>; win: FakeWindow }> = [];
class FakeWindow implements WindowLike {
  webContents = new FakeContents();
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    created.push({ options, win: this });
  }
  async loadURL(): Promise<void> {}
  once(_e: 'ready-to-show', l: () => void): this {
    l();
    return this;
  }
  show(): void {
    this.shown = true;
  }
}

describe('windows', () => {
  const win = createMainWindow(FakeWindow, { preload: '/app/preload.cjs', devTools: false, title: 'Clinic workstation' });
  const prefs = win.options.webPreferences as Record<string, unknown>;

  it('isolates and sandboxes the renderer with no Node access', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      devTools: false,
      preload: '/app/preload.cjs',
    });
    expect(win.options.show).toBe(false);
  });

  it('denies window.open, navigation away from the app, webviews and permission requests', () => {
    const c = win.webContents;
    expect(c.openHandler?.({ url: 'https://example.org' })).toEqual({ action: 'deny' });
    const prevented = (event: string, url?: string): boolean => {
      let p = false;
      c.listeners.get(event)?.(
        {
          preventDefault: () => {
            p = true;
          },
        },
        url,
      );
      return p;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', `${APP_ENTRY}#/census`)).toBe(false);
    expect(prevented('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    let granted: boolean | undefined;
    c.permissionRequest?.(c, 'media', (g) => {
      granted = g;
    });
    expect(granted).toBe(false);
    expect(c.permissionCheck?.()).toBe(false);
  });

  it('accepts IPC only from its own main frame showing the app', () => {
    expect(isTrustedSender(win.webContents.mainFrame, win)).toBe(true);
    expect(isTrustedSender({ url: APP_ENTRY }, win)).toBe(false);
    expect(isTrustedSender(Object.assign(win.webContents.mainFrame, {}), null)).toBe(false);
    const hijacked = new FakeWindow({});
    hijacked.webContents.mainFrame = { url: 'https://evil.example/' };
    expect(isTrustedSender(hijacked.webContents.mainFrame, hijacked)).toBe(false);
  });

  it('every window created so far went through the hardened factory', () => {
    for (const { options } of created.filter((c) => c.options.webPreferences)) {
      expect((options.webPreferences as Record<string, unknown>).sandbox).toBe(true);
      expect((options.webPreferences as Record<string, unknown>).contextIsolation).toBe(true);
    }
  });
});

describe('content security policy', () => {
  it('allows only the app itself: no inline script, no remote content, no connections', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => {
        const [k, ...v] = d.split(' ');
        return [k, v.join(' ')];
      }),
    );
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'none'",
      'object-src': "'none'",
      'frame-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|http:|https:|\*/);
  });

  it('is sent with every renderer file, which is served only from inside the renderer folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cw-renderer-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<html></html>');
    writeFileSync(path.join(dir, 'assets', 'a.js'), 'void 0');
    const ok = serveRendererFile(dir, `${APP_ENTRY}`);
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatchObject({ ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
    expect(serveRendererFile(dir, 'app://workstation/assets/a.js').headers['Content-Type']).toMatch(/javascript/);
    expect(serveRendererFile(dir, 'app://workstation/../../etc/passwd').status).toBe(404);
    expect(serveRendererFile(dir, 'app://workstation/%2e%2e/%2e%2e/etc/passwd').status).toBe(404);
    expect(serveRendererFile(dir, 'app://elsewhere/index.html').status).toBe(404);
    expect(serveRendererFile(dir, 'app://workstation/secret.db').status).toBe(404);
  });

  it('is repeated in the renderer page itself', async () => {
    const html = await import('node:fs').then((fs) =>
      fs.readFileSync(path.resolve(__dirname, '../../renderer/index.html'), 'utf8'),
    );
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toContain("script-src 'self'");
    expect(meta).toContain("default-src 'none'");
    expect(meta).not.toMatch(/unsafe/);
  });
});
