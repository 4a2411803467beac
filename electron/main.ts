/**
 * Main process lifecycle: one instance, configuration, database, hardened window, IPC.
 * Everything that is not about Electron itself lives in src/ and electron/workstation.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import { ConfigError, loadSystemConfig } from './config';
import { sessionInfo, workstationDispatch } from './handlers';
import { fileLogger } from './log';
import { serveRendererFile } from './rendererFiles';
import { APP_ENTRY, APP_HOST, APP_SCHEME } from './security';
import { createMainWindow, hardenContents, isTrustedSender } from './windows';
import { workstationDbKey } from './dbKey';
import { openWorkstation, workstationDbPath, type Workstation } from './workstation';
import { syncStatusFor } from './syncStatus';

// Packaged: migrations/, policies/ and the renderer are resources next to the app.
const root = app.isPackaged ? process.resourcesPath : path.resolve(__dirname, '..');
process.env.CLINIC_RESOURCES_DIR ??= root;
process.env.CLINIC_APP_VERSION ??= app.getVersion();
const rendererDir = path.join(root, 'dist-renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false } },
]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let ws: Workstation | null = null;

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    void ws?.close();
  });

  const fail = (title: string, message: string): void => {
    dialog.showErrorBox(title, message);
    app.exit(1);
  };

  app
    .whenReady()
    .then(async () => {
      let loaded;
      try {
        loaded = loadSystemConfig(process.argv);
      } catch (e) {
        fail(
          'Clinic workstation: configuration error',
          e instanceof ConfigError ? `${e.message}\n\nAsk IT to correct the file (see docs/install.md).` : String(e),
        );
        return;
      }
      const config = {
        ...loaded.config,
        demoData: loaded.config.demoData || (!app.isPackaged && process.argv.includes('--demo')),
      };
      const dataDir = config.dataDir ?? app.getPath('userData');
      const log = fileLogger(path.join(dataDir, 'logs'));
      session.defaultSession.setPermissionRequestHandler((_wc, _p, cb) => cb(false));
      session.defaultSession.setPermissionCheckHandler(() => false);
      protocol.handle(APP_SCHEME, (request) => {
        const r = serveRendererFile(rendererDir, request.url);
        return new Response(new Uint8Array(r.body), { status: r.status, headers: r.headers });
      });
      try {
        // Encryption at rest: the key is unwrapped by the OS key store; a plain database is encrypted.
        mkdirSync(dataDir, { recursive: true });
        const dbKey = workstationDbKey(dataDir, workstationDbPath(dataDir), safeStorage);
        if (dbKey.event !== 'unwrapped') log.info('database key', { event: dbKey.event });
        if (dbKey.weakBackend)
          log.warn('no desktop key ring: the database key is only obfuscated on this machine (docs/install.md)');
        ws = await openWorkstation({
          config,
          configFile: loaded.file,
          dataDir,
          log,
          dbKey: dbKey.key,
          keyInfo: { event: dbKey.event, weakBackend: dbKey.weakBackend },
        });
      } catch (e) {
        log.error('cannot open the workstation database', { error: (e as Error).stack });
        fail('Clinic workstation: cannot start', `${(e as Error).message}\n\nThe details are in ${log.file}.`);
        return;
      }
      const workstation = ws;
      // IT: `--enroll URL CODE` enrolls a fresh workstation before the window opens.
      const enrollAt = process.argv.indexOf('--enroll');
      if (enrollAt > 0 && !(await workstation.sync.engine.enrollment())) {
        const [url, code] = process.argv.slice(enrollAt + 1, enrollAt + 3);
        try {
          const e = await workstation.sync.engine.enroll(String(url), String(code), config.workstationName);
          workstation.session.setOrganization(e.org_id);
          workstation.sync.engine.start();
        } catch (e) {
          fail('Clinic workstation: enrollment failed', `${(e as Error).message}\n\nUsage: --enroll https://server CODE`);
          return;
        }
      }
      const dispatch = workstationDispatch(workstation);
      ipcMain.handle('clinic:invoke', async (event, channel: unknown, request: unknown) => {
        if (!isTrustedSender(event.senderFrame, win)) {
          log.warn('IPC from an untrusted frame refused', { url: event.senderFrame?.url?.slice(0, 200) });
          return { ok: false, error: { kind: 'forbidden', message: 'Request refused.' } };
        }
        return dispatch(channel, request);
      });
      const push = async (): Promise<void> => {
        if (win && !win.isDestroyed())
          win.webContents.send('clinic:event', { type: 'session', session: await sessionInfo(workstation) });
      };
      workstation.session.onChange(() => {
        void push();
      });
      // As the signed-in user may see it: their own refused changes only (electron/syncStatus.ts).
      workstation.sync.onChange((raw) => {
        void syncStatusFor(workstation, raw).then((status) => {
          if (win && !win.isDestroyed()) win.webContents.send('clinic:event', { type: 'sync', status });
        });
      });
      setInterval(() => workstation.session.tick(), 5_000).unref();

      win = createMainWindow(BrowserWindow, {
        preload: path.join(__dirname, 'preload.cjs'),
        devTools: !app.isPackaged,
        title: `Clinic workstation — ${config.workstationName}`,
      });
      await win.loadURL(APP_ENTRY);
      log.info('started', { host: APP_HOST, dataDir, config: loaded.file });
    })
    .catch((e: unknown) => fail('Clinic workstation: cannot start', String(e)));
}
