/**
 * Serves the built renderer under app://workstation/ with the security headers. Only files inside the
 * renderer folder, only known types; anything else is 404. Pure Node so tests can call it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { APP_ORIGIN, SECURITY_HEADERS } from './security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface FileResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function serveRendererFile(rendererDir: string, url: string): FileResponse {
  const notFound: FileResponse = {
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' },
    body: Buffer.from('Not found'),
  };
  let pathname: string;
  try {
    const u = new URL(url);
    if (u.origin !== APP_ORIGIN && `${u.protocol}//${u.host}` !== APP_ORIGIN) return notFound;
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return notFound;
  }
  const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(rendererDir, rel);
  if (!file.startsWith(path.resolve(rendererDir) + path.sep)) return notFound;
  const type = TYPES[path.extname(file)];
  if (!type || !existsSync(file) || !statSync(file).isFile()) return notFound;
  return { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': type }, body: readFileSync(file) };
}
