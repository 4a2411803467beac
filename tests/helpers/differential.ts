/**
 * Differential check of one engine: for every actor × action × resource, Oso evaluating the policy on
 * the hydrated row (the reference) allows exactly the rows that `list` (the policy's data filter
 * compiled to one SQL statement) returns, and the production `authorize` (the cached compiled filter
 * applied to one row) returns the very same decision, not_found/forbidden included; and the chart's
 * batch form (`actionsForMany`, the row-shaped filter over a list of ids) agrees with both. Fields
 * decided as hidden actions (an appointment's reason, `FIELD_ACTIONS`) are held to the same standard.
 */
import { ACTIONS, FIELD_ACTIONS, NO_READ_CHECK } from '../../src/authz/actions';
import type { AuthzEngine, Decision } from '../../src/authz/engine';
import { authzType } from '../../src/authz/model';
import { RESOURCE_TYPES, type ResourceType } from '../../src/domain/refs';

export interface Mismatch {
  actor: string;
  action: string;
  ref: string;
  oso: string;
  sql: string;
  listed: boolean;
}

export async function allIds(engine: AuthzEngine, type: ResourceType): Promise<string[]> {
  const t = authzType(type);
  return (await engine.db.all<{ id: string }>(`SELECT ${t.pk} AS id FROM ${t.table} ORDER BY 1`)).map((r) => r.id);
}

export async function listedIds(engine: AuthzEngine, actorId: string, action: string, type: ResourceType): Promise<Set<string>> {
  const { actor } = await engine.resolve({ userId: actorId });
  const pk = authzType(type).pk!;
  return new Set((await engine.listAs<{ id: string }>(actor, action, type, { columns: `m.${pk} AS id` })).map((r) => r.id));
}

/** Every action the policy decides on a type: those `actions()` offers and the hidden field actions. */
export const decidedActions = (type: ResourceType): readonly string[] => [...ACTIONS[type], ...(FIELD_ACTIONS[type] ?? [])];

export async function differential(
  engine: AuthzEngine,
  actorIds: string[],
): Promise<{ checked: number; mismatches: Mismatch[] }> {
  const mismatches: Mismatch[] = [];
  let checked = 0;
  for (const type of RESOURCE_TYPES) {
    const ids = await allIds(engine, type);
    // A world without rows of a type (the older fixtures have no §3b rows) has nothing to compare.
    if (ids.length === 0) continue;
    for (const actorId of actorIds) {
      const { actor } = await engine.resolve({ userId: actorId });
      const listed = new Map<string, Set<string>>();
      for (const action of decidedActions(type)) listed.set(action, await listedIds(engine, actorId, action, type));
      const batch = await engine.actionsForMany(actor, type, ids);
      for (const action of FIELD_ACTIONS[type] ?? [])
        for (const id of await engine.permittedIds(actor, action, type, ids)) batch.get(id)!.push(action);
      for (const id of ids) {
        const resource = (await engine.load({ type, id }))!;
        const mayRead = await engine.oso.isAllowed(actor, 'read', resource);
        for (const action of decidedActions(type)) {
          const allowed = action === 'read' ? mayRead : await engine.oso.isAllowed(actor, action, resource);
          const reference: Decision = allowed
            ? 'allow'
            : NO_READ_CHECK.has(action)
              ? 'forbidden'
              : action !== 'read' && mayRead
                ? 'forbidden'
                : 'not_found';
          const decision = await engine.decideAs(actor, action, { type, id });
          const inList = listed.get(action)!.has(id);
          const inBatch = batch.get(id)!.includes(action);
          checked++;
          if (allowed !== inList || decision !== reference || allowed !== inBatch) {
            mismatches.push({
              actor: actorId,
              action,
              ref: `${type}:${id}`,
              oso: reference,
              sql: `${decision}${inBatch ? ' (batch: allowed)' : ' (batch: not allowed)'}`,
              listed: inList,
            });
          }
        }
      }
      for (const [action, set] of listed) {
        for (const id of set)
          if (!ids.includes(id))
            mismatches.push({ actor: actorId, action, ref: `${type}:${id}`, oso: 'no such row', sql: '', listed: true });
      }
    }
  }
  return { checked, mismatches };
}

export async function userIds(engine: AuthzEngine): Promise<string[]> {
  return (await engine.db.all<{ id: string }>('SELECT id FROM users ORDER BY id')).map((u) => u.id);
}
