/**
 * ONC §170.315(d)(2): the audit log records the local encryption status at every start, and every
 * change of the settings that govern auditing and access decisions (docs/security.md, T6). The last
 * `startup` event holds the settings in force, so a change is found by comparing with it — no other
 * state to keep in step, and a settings change made while the program was not running is recorded
 * at the next start, with the values before and after.
 */
import { appendAudit } from '../store/audit';
import type { Db } from '../store/db';

export interface EncryptionStatus {
  /** The database file is encrypted at rest (SQLCipher), plain, or left to the data centre's storage (server). */
  database: 'encrypted' | 'plain' | 'storage';
  /** How the key came to be on this start, when there is one. */
  key?: 'created' | 'unwrapped' | 'encrypted-existing' | null;
  /** Where the key is kept: the OS key store, or (Linux without a key ring) only obfuscated. */
  key_store?: 'os' | 'obfuscated' | null;
}

const canonical = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v ?? null;
};

/** Appends `startup` (and `audit_settings_changed` when the settings differ from the last start). */
export async function auditStartup(
  db: Db,
  input: {
    at: string;
    resource: string;
    orgId: string | null;
    settings: Record<string, unknown>;
    encryption?: EncryptionStatus;
    version?: string;
  },
): Promise<void> {
  const settings = canonical(input.settings) as Record<string, unknown>;
  await db.transaction(async () => {
    const last = await db.get<{ details: string | null }>(
      "SELECT details FROM audit_events WHERE action = 'startup' AND actor = 'system' AND origin IS NULL ORDER BY seq DESC LIMIT 1",
    );
    let before: unknown = null;
    try {
      before = last?.details ? ((JSON.parse(last.details) as { settings?: unknown }).settings ?? null) : null;
    } catch {
      before = null;
    }
    if (last && JSON.stringify(before) !== JSON.stringify(settings)) {
      const changed = Object.keys({ ...(before as object | null), ...settings })
        .filter(
          (k) => JSON.stringify((before as Record<string, unknown> | null)?.[k] ?? null) !== JSON.stringify(settings[k] ?? null),
        )
        .sort();
      await appendAudit(db, {
        at: input.at,
        actor: 'system',
        on_behalf_of: null,
        action: 'audit_settings_changed',
        resource: input.resource,
        decision: 'allow',
        reason: changed.join(', ').slice(0, 500),
        org_id: input.orgId,
        details: { before, after: settings },
      });
    }
    await appendAudit(db, {
      at: input.at,
      actor: 'system',
      on_behalf_of: null,
      action: 'startup',
      resource: input.resource,
      decision: 'allow',
      reason: input.encryption ? `database ${input.encryption.database}` : null,
      org_id: input.orgId,
      details: {
        ...(input.encryption ? { encryption: input.encryption } : {}),
        ...(input.version ? { version: input.version } : {}),
        settings,
      },
    });
  });
}
