/**
 * FHIR read and search, decided by the policy (issue 22). A search is ONE statement: the policy's
 * `read` filter for the type compiled to SQL (the same `list` every screen uses) AND the search's own
 * conditions, ordered by id and cut after the page (keyset paging: the next page starts after the last
 * id, so paging is stable while rows are added). Nothing is fetched and then filtered. A read is the
 * same statement pinned to one id: no row means the caller may not read it, or it does not exist — 404
 * either way (SPEC §3, never reveal existence).
 */
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import { AppError } from '../../domain/errors';
import { and, TRUE, type Sql } from '../../store/sql';
import type { ResourceMapping, Row } from './mapping';
import { bad, idCondition, ID_PATTERN } from './params';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;

/** Parameters every type takes besides its own; `_format` is accepted so that `_format=json` works. */
const RESULT_PARAMS = new Set(['_count', '_page_after', '_format']);

export type Query = Record<string, string | string[] | undefined>;

interface Page {
  rows: Row[];
  resources: Resource[];
  next: string | null;
}

const values = (q: Query, name: string): string[] => {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** The search's own conditions from the query: unknown parameters and modifiers are refused, not ignored. */
export function searchConditions(mapping: ResourceMapping, query: Query): Sql {
  const parts: Sql[] = [];
  for (const key of Object.keys(query)) {
    if (RESULT_PARAMS.has(key)) continue;
    const [name, modifier] = key.split(':', 2) as [string, string | undefined];
    for (const raw of values(query, key)) {
      const alternatives = raw.split(',').filter((v) => v !== '');
      if (alternatives.length === 0) throw bad(`The search parameter "${key}" has no value.`);
      if (name === '_id') {
        if (modifier !== undefined) throw bad('The search parameter "_id" takes no modifier.');
        parts.push(idCondition('m.id', alternatives));
        continue;
      }
      const param = mapping.params[name];
      if (!param)
        throw bad(
          `${mapping.fhirType} cannot be searched by "${name.slice(0, 60)}". Supported: ${['_id', ...Object.keys(mapping.params), '_count'].join(', ')}.`,
        );
      if (
        modifier !== undefined &&
        !(param.modifiers ?? []).includes(modifier) &&
        !(param.type === 'reference' && modifier === 'Patient')
      )
        throw bad(`The search parameter "${name}" does not take the modifier ":${modifier.slice(0, 40)}".`);
      parts.push(param.condition(alternatives, param.type === 'reference' ? undefined : modifier));
    }
  }
  return and(...parts);
}

function pageSize(query: Query): number {
  const all = values(query, '_count');
  if (all.length === 0) return DEFAULT_COUNT;
  const n = Number(all[all.length - 1]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) throw bad(`"_count" must be a whole number from 1 to ${MAX_COUNT}.`);
  return n;
}

function after(query: Query): string | null {
  const all = values(query, '_page_after');
  if (all.length === 0) return null;
  const id = all[all.length - 1]!;
  if (!ID_PATTERN.test(id)) throw bad('"_page_after" is not a position this server gave out; start the search again.');
  return id;
}

const fixed = (m: ResourceMapping): Sql => (m.where ? { sql: m.where, params: [] } : TRUE);

export async function searchPage(engine: AuthzEngine, actor: Actor, mapping: ResourceMapping, query: Query): Promise<Page> {
  const own = searchConditions(mapping, query);
  const count = pageSize(query);
  const from = after(query);
  const where = and(own, fixed(mapping), from === null ? TRUE : { sql: 'm.id > ?', params: [from] });
  const rows = await engine.listAs<Row>(actor, 'read', mapping.authz, {
    columns: mapping.columns ?? 'm.*',
    joins: mapping.joins ?? '',
    where: where.sql,
    params: where.params,
    orderBy: 'm.id',
    limit: count + 1,
  });
  const page = rows.slice(0, count);
  return {
    rows: page,
    resources: await mapping.toFhir(page, { engine, actor }),
    next: rows.length > count ? page[page.length - 1]!.id : null,
  };
}

/** One resource the actor may read, or a 404 that says nothing about whether it exists. */
export async function readOne(
  engine: AuthzEngine,
  actor: Actor,
  mapping: ResourceMapping,
  id: string,
): Promise<{ row: Row; resource: Resource } | null> {
  if (!ID_PATTERN.test(id)) throw new AppError('not_found', `There is no ${mapping.fhirType} with that id that you may read.`);
  const [row] = await engine.listAs<Row>(actor, 'read', mapping.authz, {
    columns: mapping.columns ?? 'm.*',
    joins: mapping.joins ?? '',
    where: and({ sql: 'm.id = ?', params: [id] }, fixed(mapping)).sql,
    params: [id],
    shape: 'row',
  });
  if (!row) return null;
  const [resource] = await mapping.toFhir([row], { engine, actor });
  return { row, resource: resource! };
}

/** The searchset Bundle with `self` and, when there is more, `next` (the same query after the last id). */
export function searchBundle(base: string, mapping: ResourceMapping, query: Query, page: Page): Bundle {
  const link = (after: string | null): string => {
    const params = new URLSearchParams();
    for (const key of Object.keys(query)) if (key !== '_page_after') for (const v of values(query, key)) params.append(key, v);
    if (after !== null) params.set('_page_after', after);
    const qs = params.toString();
    return `${base}/${mapping.fhirType}${qs ? `?${qs}` : ''}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: link(after(query)) }];
  if (page.next) links.push({ relation: 'next', url: link(page.next) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: links,
    entry: page.resources.map((resource) => ({
      fullUrl: `${base}/${mapping.fhirType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
