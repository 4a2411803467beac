/**
 * HTTP from a chosen loopback address (127.0.0.0/8 all reaches this machine): tests play several
 * clients — a stranger and the real user — against one server, and time each answer.
 */
import { request } from 'node:http';

export interface Answer {
  status: number;
  body: any;
  ms: number;
}

export function postFrom(
  from: string,
  url: string,
  path: string,
  body: unknown,
  auth?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const target = new URL(path, url);
  const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          'content-length': data.length,
          ...(auth ? { authorization: auth } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, ms });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
