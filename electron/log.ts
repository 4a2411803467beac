/**
 * The main process log: JSON lines in <dataDir>/logs/main.log. Request payloads are never logged
 * (they may hold passwords, PINs or patient data); errors keep their stack here, not on screen.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEYS = /pass|pin|secret|token|key|hash|credential/i;

/** Drops fields whose names suggest secrets, however deep. */
export function redact(v: unknown, depth = 0): unknown {
  if (depth > 5 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(x, depth + 1)]),
  );
}

export function fileLogger(dir: string, echo = false): Logger & { file: string } {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'main.log');
  const write = (level: string, msg: string, fields?: Record<string, unknown>): void => {
    const line = JSON.stringify({ at: new Date().toISOString(), level, msg, ...(fields ? (redact(fields) as object) : {}) });
    try {
      appendFileSync(file, `${line}\n`);
    } catch {
      /* a full disk must not take the app down */
    }
    if (echo) console.log(line);
  };
  return {
    file,
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
