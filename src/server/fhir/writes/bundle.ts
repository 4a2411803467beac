/**
 * `POST /fhir/R4` with a Bundle (issue 22). A `transaction` applies every entry or none: all of them run
 * in ONE database transaction through the same services as single writes, and the first refusal rolls
 * everything back and is answered with the entry it came from. Entries refer to each other by their
 * `fullUrl` (`urn:uuid:…`): the server gives every created resource its id first and rewrites those
 * references. A `batch` applies each entry on its own and answers each.
 */
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Caller } from '../caller';
import { requireScope } from '../caller';
import { AppError, isAppError } from '../../../domain/errors';
import type { Server } from '../../context';
import { FHIR_STATUS, operationOutcome } from '../outcome';
import { newId } from './fromFhir';
import { createResource, requireWritable, updateResource, WRITABLE, type Written } from './service';

const MAX_ENTRIES = 1000;

interface Planned {
  index: number;
  method: 'POST' | 'PUT';
  type: string;
  /** The id a POST will create, or the id a PUT updates. */
  id: string;
  ifMatch: string | undefined;
  resource: Resource;
}

const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created' };

function entryError(index: number, e: unknown): AppError {
  if (!isAppError(e)) throw e;
  return new AppError(e.kind, `Bundle.entry[${index}]: ${e.message}`, e.details);
}

/**
 * Every entry's request understood, the ids of new resources given out, `urn:uuid` references resolved.
 * An entry that cannot be understood is its error (a transaction then fails as a whole, a batch answers it).
 */
function plan(bundle: Bundle): Array<Planned | AppError> {
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_ENTRIES) throw new AppError('invalid', `A Bundle may hold at most ${MAX_ENTRIES} entries; split it.`);
  const ids = new Map<string, string>();
  const planned = entries.map((e: BundleEntry, index): Planned | AppError => {
    try {
      const method = e.request?.method;
      const type = e.resource?.resourceType ?? '';
      if (method !== 'POST' && method !== 'PUT')
        throw new AppError('invalid', 'request.method must be POST (create) or PUT (update).');
      requireWritable(type);
      let id: string;
      if (method === 'POST') {
        if (e.request?.url !== type) throw new AppError('invalid', `request.url of a create must be "${type}".`);
        id = newId(WRITABLE[type]!.prefix);
        if (e.fullUrl) ids.set(e.fullUrl, `${type}/${id}`);
      } else {
        const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(e.request?.url ?? '');
        if (!m || m[1] !== type) throw new AppError('invalid', `request.url of an update must be "${type}/ID".`);
        id = m[2]!;
      }
      return { index, method, type, id, ifMatch: e.request?.ifMatch, resource: e.resource! };
    } catch (err) {
      return entryError(index, err);
    }
  });
  // References by fullUrl become the ids just given out; anything else is left for the services to judge.
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          k === 'reference' && typeof x === 'string' && ids.has(x) ? ids.get(x) : rewrite(x),
        ]),
      );
    return v;
  };
  return planned.map((p) => (p instanceof AppError ? p : { ...p, resource: rewrite(p.resource) as Resource }));
}

async function apply(server: Server, caller: Caller, p: Planned): Promise<Written> {
  requireScope(caller, p.type, p.method === 'POST' ? 'c' : 'u');
  return p.method === 'POST'
    ? createResource(server, caller, p.resource, p.id)
    : updateResource(server, caller, p.type, p.id, p.resource, p.ifMatch);
}

const responseEntry = (base: string, w: Written): BundleEntry => ({
  ...(w.resource ? { resource: w.resource } : {}),
  response: {
    status: STATUS_TEXT[w.created ? 201 : 200]!,
    location: `${base}/${w.type}/${w.id}/_history/${w.version}`,
    etag: `W/"${w.version}"`,
  },
});

const statusOf = (e: AppError): number => (e.details?.http_status as number | undefined) ?? FHIR_STATUS[e.kind];

export async function processBundle(server: Server, caller: Caller, base: string, body: unknown): Promise<Bundle> {
  const bundle = body as Bundle;
  if (!bundle || bundle.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch'))
    throw new AppError('invalid', 'POST a Bundle of type transaction (all or nothing) or batch (each entry on its own).');
  const planned = plan(bundle);
  if (bundle.type === 'transaction') {
    const refused = planned.find((p) => p instanceof AppError);
    if (refused) throw refused;
    const results = await server.db.transaction(async () => {
      const out: Written[] = [];
      for (const p of planned as Planned[]) {
        try {
          out.push(await apply(server, caller, p));
        } catch (e) {
          throw entryError(p.index, e);
        }
      }
      return out;
    });
    return { resourceType: 'Bundle', type: 'transaction-response', entry: results.map((w) => responseEntry(base, w)) };
  }
  const entry: BundleEntry[] = [];
  for (const p of planned) {
    try {
      if (p instanceof AppError) throw p;
      entry.push(responseEntry(base, await apply(server, caller, p)));
    } catch (e) {
      if (!isAppError(e)) throw e;
      const outcome: OperationOutcome = operationOutcome(e.kind, e.message);
      entry.push({ response: { status: String(statusOf(e)), outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry };
}
