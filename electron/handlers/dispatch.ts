/**
 * The handler registry that `electron/main` serves over IPC and the browser tests install into the
 * page. Every request is validated against the contract; every response is parsed through it
 * (an allowlist of fields); errors become `{ kind, message }` the UI can show in plain words.
 */
import type { z } from 'zod';
import type { Principal } from '../../src/authz/engine';
import { AppError, isAppError } from '../../src/domain/errors';
import { describeIssues } from '../../src/domain/schemas';
import { channels, isChannel, PUBLIC_CHANNELS, type Channel, type Envelope } from '../../src/ipc/contract';
import type { Workstation } from '../workstation';

type Spec<C extends Channel> = (typeof channels)[C];
export type HandlerFn<C extends Channel> = (
  request: z.output<Spec<C>['request']>,
  ws: Workstation,
  principal: Principal | null,
) => Promise<z.input<Spec<C>['response']>>;
export type HandlerMap = { [C in Channel]: HandlerFn<C> };

export type Dispatch = (channel: unknown, request: unknown) => Promise<Envelope<unknown>>;

export const MAX_REQUEST_BYTES = 256 * 1024;

export function createDispatch(ws: Workstation, handlers: HandlerMap): Dispatch {
  return async (channel, request) => {
    try {
      if (!isChannel(channel)) throw new AppError('invalid', 'Unknown request.');
      if (approxSize(request) > MAX_REQUEST_BYTES) throw new AppError('invalid', 'The request is too large.');
      const spec = channels[channel];
      const parsed = spec.request.safeParse(request ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
        throw new AppError('invalid', describeIssues(parsed.error.issues), { issues });
      }
      // Revoked and erased (electron/shred.ts): nothing is left to serve but the reason.
      if (ws.revoked?.erased && channel !== 'session.get') throw new AppError('unauthenticated', ws.revoked.message);
      const principal = PUBLIC_CHANNELS.has(channel) ? null : ws.session.principal();
      const handler = handlers[channel] as HandlerFn<Channel>;
      const value = await handler(parsed.data as never, ws, principal);
      return { ok: true, value: spec.response.parse(value) };
    } catch (e) {
      if (isAppError(e)) return { ok: false, error: e.toJSON() };
      ws.log.error('request failed', {
        channel: typeof channel === 'string' ? channel.slice(0, 60) : typeof channel,
        error: (e as Error).stack ?? String(e),
      });
      return {
        ok: false,
        error: { kind: 'internal', message: 'Something went wrong. The problem was logged; please try again or call IT.' },
      };
    }
  };
}

/** Bounded size estimate that never throws on cycles or exotic values. */
export function approxSize(v: unknown, budget = MAX_REQUEST_BYTES + 1): number {
  let size = 0;
  const stack: unknown[] = [v];
  const seen = new Set<unknown>();
  while (stack.length > 0 && size < budget) {
    const x = stack.pop();
    if (typeof x === 'string') size += x.length * 2;
    else if (typeof x === 'number' || typeof x === 'boolean' || x == null) size += 8;
    else if (typeof x === 'object') {
      if (seen.has(x)) continue;
      seen.add(x);
      const keys = Object.keys(x as object);
      size += keys.length * 16;
      if (keys.length > 10_000) return budget;
      for (const k of keys) {
        size += k.length;
        stack.push((x as Record<string, unknown>)[k]);
      }
    } else size += 16;
  }
  return size;
}
