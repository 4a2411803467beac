/** Creates an embedded Oso with our types, the chosen policy and the SQL data-filtering adapter. */
import { Oso, type Filter } from 'oso';
import { Expression } from 'oso/dist/src/Expression.js';
import { Pattern } from 'oso/dist/src/Pattern.js';
import { Variable } from 'oso/dist/src/Variable.js';
import { parseFilter } from 'oso/dist/src/filter.js';
import type { Db } from '../store/db';
import { AUTHZ_TYPES, type AuthzType } from './model';
import type { LoadedPolicy } from './policy';
import { compileFilter, selectSql, type AuthzQuery } from './sqlFilter';

export type AppOso = Oso<unknown, string, unknown, string, unknown, AuthzQuery>;

export async function createOso(db: Db, policy: LoadedPolicy): Promise<AppOso> {
  const oso: AppOso = new Oso({ readAction: 'read' });
  for (const t of AUTHZ_TYPES) oso.registerClass(t.cls, { name: t.name, fields: t.fields });
  oso.setDataFilteringAdapter({
    buildQuery: (filter: Filter) => compileFilter(filter, db.dialect),
    executeQuery: async (q: AuthzQuery) => {
      const { sql, params } = selectSql(q);
      const rows = await db.all<object>(sql, params);
      return rows.map((r) => new q.model.cls(r));
    },
  });
  // Embedded Oso accepts policy code once; every module goes in one call.
  await oso.loadFiles(policy.sources.map((s) => s.filename));
  return oso;
}

/**
 * The data filter of any rule whose last argument is the resource, e.g. `allow(actor, "read", _)`
 * or `break_glass_eligible(actor, _)`. Same steps as Oso's own authorizedQuery, minus the adapter,
 * so the engine can cache filters and combine two of them in one SQL statement.
 */
export async function ruleFilter(oso: AppOso, type: AuthzType, rule: string, args: unknown[]): Promise<Filter> {
  const resource = new Variable('resource');
  const host = oso.getHost();
  const bindings = new Map<string, unknown>();
  bindings.set(
    'resource',
    new Expression('And', [new Expression('Isa', [resource, new Pattern({ tag: type.name, fields: {} })])]),
  );
  const results = oso.queryRule({ bindings, acceptExpression: true }, rule, ...args, resource);
  const queryResults: Array<{ bindings: Map<string, unknown> }> = [];
  for await (const result of results) {
    queryResults.push({ bindings: new Map([...result.entries()].map(([k, v]) => [k, host.toPolar(v)])) });
  }
  const json = oso.getFfi().buildDataFilter(host.serializeTypes(), queryResults, 'resource', type.name);
  return parseFilter(json, host);
}
