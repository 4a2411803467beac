/**
 * FHIR read and search, decided by the policy (issue 22). A search is ONE statement: the policy's
 * `read` filter for the type compiled to SQL (the same `list` every screen uses) AND the search's own
 * conditions, ordered by id and cut after the page (keyset paging: the next page starts after the last
 * id, so paging is stable while rows are added). Nothing is fetched and then filtered. A read is the
 * same statement pinned to one id: no row means the caller may not read it, or it does not exist — 404
 * either way (SPEC §3, never reveal existence).
 */
import type { Bundle, BundleLink, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import { AppError } from '../../domain/errors';
import { and, TRUE, type Sql } from '../../store/sql';
import type { DerivedSource, MapContext, ResourceMapping, Row } from './mapping';
import { bad, idCondition, ID_PATTERN } from './params';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;

/** Parameters every type takes besides its own; `_format` is accepted so that `_format=json` works. */
const RESULT_PARAMS = new Set(['_count', '_page_after', '_format', '_sort', '_include', '_revinclude']);

export type Query = Record<string, string | string[] | undefined>;

export interface SearchOptions {
  /** `Prefer: handling=lenient`: an unknown parameter is left out of the search instead of refused. */
  lenient?: boolean;
  /** The site's zone, for computed resources (NEWS2: a child's age). */
  timeZone?: string | undefined;
}

export interface Page {
  rows: Row[];
  resources: Resource[];
  next: string | null;
  /** Parameters left out under lenient handling (named in the Bundle's OperationOutcome entry). */
  ignored: string[];
}

export const values = (q: Query, name: string): string[] => {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

export const keyOf = (m: ResourceMapping): string => m.key ?? 'm.id';

/** The search's own conditions from the query: unknown parameters and modifiers are refused, not ignored (unless lenient). */
export function searchConditions(mapping: ResourceMapping, query: Query, opts: SearchOptions = {}): Sql & { ignored: string[] } {
  const parts: Sql[] = [];
  const ignored: string[] = [];
  for (const key of Object.keys(query)) {
    if (RESULT_PARAMS.has(key)) continue;
    const [name, modifier] = key.split(':', 2) as [string, string | undefined];
    for (const raw of values(query, key)) {
      const alternatives = raw.split(',').filter((v) => v !== '');
      if (alternatives.length === 0) throw bad(`The search parameter "${key}" has no value.`);
      if (name === '_id') {
        if (modifier !== undefined) throw bad('The search parameter "_id" takes no modifier.');
        parts.push(idCondition(keyOf(mapping), alternatives));
        continue;
      }
      const param = mapping.params[name];
      if (!param) {
        if (opts.lenient) {
          ignored.push(key.slice(0, 60));
          continue;
        }
        throw bad(
          `${mapping.fhirType} cannot be searched by "${name.slice(0, 60)}". Supported: ${['_id', ...Object.keys(mapping.params), '_count'].join(', ')}.`,
        );
      }
      if (
        modifier !== undefined &&
        !(param.modifiers ?? []).includes(modifier) &&
        !(param.type === 'reference' && modifier === 'Patient')
      )
        throw bad(`The search parameter "${name}" does not take the modifier ":${modifier.slice(0, 40)}".`);
      parts.push(param.condition(alternatives, param.type === 'reference' ? undefined : modifier));
    }
  }
  return { ...and(...parts), ignored };
}

export function pageSize(query: Query): number {
  const all = values(query, '_count');
  if (all.length === 0) return DEFAULT_COUNT;
  const n = Number(all[all.length - 1]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) throw bad(`"_count" must be a whole number from 1 to ${MAX_COUNT}.`);
  return n;
}

/** `_sort`: one key of the type (or `_id`), `-` for descending; the id breaks ties so paging stays exact. */
interface Sort {
  column: string | null;
  desc: boolean;
}

function sortOf(mapping: ResourceMapping, query: Query): Sort {
  const all = values(query, '_sort');
  if (all.length === 0) return { column: null, desc: false };
  const raw = all[all.length - 1]!;
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  if (name === '_id') return { column: null, desc };
  const column = mapping.sorts?.[name];
  if (!column)
    throw bad(
      `${mapping.fhirType} cannot be sorted by "${raw.slice(0, 60)}" (one key only). Sort keys: ${['_id', ...Object.keys(mapping.sorts ?? {})].join(', ')}, each optionally after "-".`,
    );
  return { column, desc };
}

const NOT_OURS = (): AppError => bad('"_page_after" is not a position this server gave out; start the search again.');

/** The keyset position: an id, or with a sort key `base64url(JSON [value, id])`. */
function after(query: Query, sort: Sort): { value?: string; id: string } | null {
  const all = values(query, '_page_after');
  if (all.length === 0) return null;
  const raw = all[all.length - 1]!;
  if (sort.column === null) {
    if (!ID_PATTERN.test(raw)) throw NOT_OURS();
    return { id: raw };
  }
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && ID_PATTERN.test(parsed[1]))
      return { value: parsed[0], id: parsed[1] };
  } catch {
    // falls through to the refusal
  }
  throw NOT_OURS();
}

function keysetCondition(key: string, sort: Sort, from: { value?: string; id: string } | null): Sql {
  if (from === null) return TRUE;
  const cmp = sort.desc ? '<' : '>';
  if (sort.column === null) return { sql: `${key} ${cmp} ?`, params: [from.id] };
  return {
    sql: `(${sort.column} ${cmp} ? OR (${sort.column} = ? AND ${key} ${cmp} ?))`,
    params: [from.value!, from.value!, from.id],
  };
}

/**
 * A search pinned to a few patients, ids or name words finds few rows by its own index: the policy's filter is then
 * best tested row by row (its `row` shape, correlated lookups) rather than as the list of everything the
 * caller may read (the `list` shape, which a ward nurse's filter builds by scanning the ward's patients).
 * Both shapes are the same filter (the engine's differential tests).
 */
const selective = (q: Query): boolean => ['patient', 'subject', '_id', 'identifier', 'name'].some((p) => q[p] !== undefined);

const fixed = (m: ResourceMapping): Sql => (m.where ? { sql: m.where, params: [] } : TRUE);

/** The columns a page needs: the mapping's, the id as `id` when it is not m.id, the sort value. */
function columnsOf(mapping: ResourceMapping, sort: Sort): string {
  const base = mapping.columns ?? 'm.*';
  return sort.column ? `${base}, ${sort.column} AS sort_value` : base;
}

export async function searchPage(
  engine: AuthzEngine,
  actor: Actor,
  mapping: ResourceMapping,
  query: Query,
  opts: SearchOptions = {},
): Promise<Page> {
  const own = searchConditions(mapping, query, opts);
  const count = pageSize(query);
  const sort = sortOf(mapping, query);
  const key = keyOf(mapping);
  const from = after(query, sort);
  const where = and(own, fixed(mapping), keysetCondition(key, sort, from));
  const dir = sort.desc ? ' DESC' : '';
  const ctx = { engine, actor, timeZone: opts.timeZone };
  const stored = await engine.listAs<Row>(actor, mapping.action ?? 'read', mapping.authz, {
    shape: selective(query) ? 'row' : 'list',
    columns: columnsOf(mapping, sort),
    joins: mapping.joins ?? '',
    where: where.sql,
    params: where.params,
    orderBy: sort.column ? `${sort.column}${dir}, ${key}${dir}` : `${key}${dir}`,
    limit: count + 1,
  });
  const derived = mapping.derived
    ? await derivedRows(engine, actor, mapping.derived, query, { ...opts, lenient: true }, from, count + 1)
    : { rows: [], resources: [] };
  // Both in the search's order (the sort value, then the id), the page cut from the merge.
  const merged = [...stored.map((row) => ({ row, derived: false })), ...derived.rows.map((row) => ({ row, derived: true }))]
    .sort((a, b) => compareRows(a.row, b.row, sort))
    .slice(0, count + 1);
  const pageRows = merged.slice(0, count);
  const storedResources = await mapping.toFhir(
    pageRows.filter((x) => !x.derived).map((x) => x.row),
    ctx,
  );
  const byId = new Map([...storedResources, ...derived.resources].map((r) => [r.id, r]));
  const last = pageRows[pageRows.length - 1]?.row;
  return {
    rows: pageRows.map((x) => x.row),
    resources: pageRows.map((x) => byId.get(x.row.id)!),
    next:
      merged.length > count && last
        ? sort.column
          ? Buffer.from(JSON.stringify([String(last.sort_value), last.id]), 'utf8').toString('base64url')
          : last.id
        : null,
    ignored: own.ignored,
  };
}

/** The order of a search: by the sort value (when sorted), then the id; descending when asked. */
function compareRows(a: Row, b: Row, sort: Sort): number {
  const [av, bv] = sort.column ? [String(a.sort_value), String(b.sort_value)] : ['', ''];
  const c = av < bv ? -1 : av > bv ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return sort.desc ? -c : c;
}

/**
 * Up to `limit` computed resources of a derived source under the search (its own conditions and the same
 * keyset position), in the search's order. A row whose resource cannot be computed (a NEWS2 set the domain
 * does not score) is left out and the next ones are read, so a page is never short while more exist.
 */
async function derivedRows(
  engine: AuthzEngine,
  actor: Actor,
  source: DerivedSource,
  query: Query,
  opts: SearchOptions,
  from: { value?: string; id: string } | null,
  limit: number,
): Promise<{ rows: Row[]; resources: Resource[] }> {
  const m = source.mapping;
  const own = searchConditions(m, query, opts);
  const sort = sortOf(m, query);
  const dir = sort.desc ? ' DESC' : '';
  const key = keyOf(m);
  const out: { rows: Row[]; resources: Resource[] } = { rows: [], resources: [] };
  let position = from;
  for (;;) {
    const batch = await source.select(engine, actor, {
      shape: selective(query) ? 'row' : 'list',
      columns: sort.column ? `s.*, ${sort.column} AS sort_value` : 's.*',
      where: and(own, keysetCondition(key, sort, position)),
      inner: source.pinned(query),
      orderBy: sort.column ? `${sort.column}${dir}, ${key}${dir}` : `${key}${dir}`,
      limit,
    });
    const made = new Map((await m.toFhir(batch, { engine, actor, timeZone: opts.timeZone })).map((r) => [r.id, r]));
    for (const row of batch) {
      const resource = made.get(row.id);
      if (resource && out.rows.length < limit) {
        out.rows.push(row);
        out.resources.push(resource);
      }
    }
    const last = batch[batch.length - 1];
    if (batch.length < limit || out.rows.length >= limit || !last) return out;
    position = { value: String(last.sort_value), id: last.id };
  }
}

/**
 * The resources of the type that belong to `patients` (the type's `patient` parameter), derived ones
 * included, in id order after `afterId`, at most `limit` — for `$everything`, `_revinclude` and `$export`.
 */
export async function patientResources(
  ctx: MapContext,
  mapping: ResourceMapping,
  condition: Sql,
  derivedCondition: Sql,
  afterId: string,
  limit: number,
): Promise<{ rows: Row[]; resources: Resource[] }> {
  const { engine, actor } = ctx;
  const startAfter = (key: string): Sql => (afterId ? { sql: `${key} > ?`, params: [afterId] } : TRUE);
  const stored = await rowsWhere(engine, actor, mapping, and(condition, startAfter(keyOf(mapping))), limit);
  const d = mapping.derived;
  let extra: { rows: Row[]; resources: Resource[] } = { rows: [], resources: [] };
  if (d) {
    const rows = await d.select(engine, actor, {
      shape: 'row',
      where: startAfter(keyOf(d.mapping)),
      inner: derivedCondition,
      orderBy: keyOf(d.mapping),
    });
    const made = await d.mapping.toFhir(rows, ctx);
    const ids = new Set(made.map((r) => r.id));
    extra = { rows: rows.filter((r) => ids.has(r.id)), resources: made };
  }
  const merged = [...stored.map((row) => ({ row, derived: false })), ...extra.rows.map((row) => ({ row, derived: true }))]
    .sort((a, b) => compareRows(a.row, b.row, { column: null, desc: false }))
    .slice(0, limit);
  const storedResources = await mapping.toFhir(
    merged.filter((x) => !x.derived).map((x) => x.row),
    ctx,
  );
  const byId = new Map([...storedResources, ...extra.resources].map((r) => [r.id, r]));
  return { rows: merged.map((x) => x.row), resources: merged.map((x) => byId.get(x.row.id)!) };
}

/** One resource the actor may read, or a 404 that says nothing about whether it exists. */
export async function readOne(
  engine: AuthzEngine,
  actor: Actor,
  mapping: ResourceMapping,
  id: string,
  timeZone?: string,
): Promise<{ row: Row; resource: Resource } | null> {
  if (!ID_PATTERN.test(id)) throw new AppError('not_found', `There is no ${mapping.fhirType} with that id that you may read.`);
  const d = mapping.derived;
  if (d?.owns(id)) {
    const rows = await d.select(engine, actor, {
      shape: 'row',
      where: { sql: `${keyOf(d.mapping)} = ?`, params: [id] },
      inner: d.pinned({ _id: id }),
      orderBy: keyOf(d.mapping),
    });
    const [made] = await d.mapping.toFhir(rows, { engine, actor, timeZone });
    return made ? { row: rows[0]!, resource: made } : null;
  }
  const where = and({ sql: `${keyOf(mapping)} = ?`, params: [id] }, fixed(mapping));
  const [row] = await engine.listAs<Row>(actor, mapping.action ?? 'read', mapping.authz, {
    columns: mapping.columns ?? 'm.*',
    joins: mapping.joins ?? '',
    where: where.sql,
    params: where.params,
    shape: 'row',
  });
  if (!row) return null;
  const [resource] = await mapping.toFhir([row], { engine, actor, timeZone });
  return { row, resource: resource! };
}

/** The searchset Bundle with `self` and, when there is more, `next` (the same query after the last row). */
export function searchBundle(
  base: string,
  mapping: ResourceMapping,
  query: Query,
  page: Page,
  extra: { included?: Resource[]; warnings?: string[] } = {},
): Bundle {
  const included = extra.included ?? [];
  const warnings = [
    ...(page.ignored.length
      ? [`Left out (Prefer: handling=lenient): ${page.ignored.join(', ')}. The results are not narrowed by them.`]
      : []),
    ...(extra.warnings ?? []),
  ];
  const link = (position: string | null): string => {
    const params = new URLSearchParams();
    for (const key of Object.keys(query)) if (key !== '_page_after') for (const v of values(query, key)) params.append(key, v);
    if (position !== null) params.set('_page_after', position);
    const qs = params.toString();
    return `${base}/${mapping.fhirType}${qs ? `?${qs}` : ''}`;
  };
  const current = values(query, '_page_after');
  const links: BundleLink[] = [{ relation: 'self', url: link(current.length ? current[current.length - 1]! : null) }];
  if (page.next) links.push({ relation: 'next', url: link(page.next) });
  const outcome: OperationOutcome | null = warnings.length
    ? {
        resourceType: 'OperationOutcome',
        issue: warnings.map((diagnostics) => ({ severity: 'warning' as const, code: 'informational' as const, diagnostics })),
      }
    : null;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: links,
    entry: [
      ...page.resources.map((resource) => ({
        fullUrl: `${base}/${mapping.fhirType}/${resource.id}`,
        resource,
        search: { mode: 'match' as const },
      })),
      ...included.map((resource) => ({
        fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'include' as const },
      })),
      ...(outcome ? [{ resource: outcome, search: { mode: 'outcome' as const } }] : []),
    ],
  };
}

/** Rows of the type the actor may read under a condition, in id order (the policy's filter AND it, one statement). */
export async function rowsWhere(
  engine: AuthzEngine,
  actor: Actor,
  mapping: ResourceMapping,
  condition: Sql,
  limit: number,
): Promise<Row[]> {
  const where = and(condition, fixed(mapping));
  return engine.listAs<Row>(actor, mapping.action ?? 'read', mapping.authz, {
    shape: 'row',
    columns: mapping.columns ?? 'm.*',
    joins: mapping.joins ?? '',
    where: where.sql,
    params: where.params,
    orderBy: keyOf(mapping),
    limit,
  });
}
