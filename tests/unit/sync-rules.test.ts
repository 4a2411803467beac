/**
 * The sync rules (src/server/sync/rules.ts): one entry per synced table, consistent with the table's
 * columns and with each other. A table added to src/store/tables.ts without its entry fails here (and
 * the type check); docs/sync.md, "Adding a synced table", says what an entry holds.
 */
import { describe, expect, it } from 'vitest';
import { applyMask } from '../../src/server/sync/masks';
import { ORG_TABLES, partOf, PATIENT_TABLES, patientRule } from '../../src/server/sync/partitions';
import { SYNC_RULES, type MaskedField, type PatientRule } from '../../src/server/sync/rules';
import { TABLE_ORDER, TABLES, type TableName } from '../../src/store/tables';

const tables = Object.keys(TABLES) as TableName[];
const columns = (t: TableName): readonly string[] => TABLES[t].columns;
const masked = (t: TableName): Array<[string, MaskedField<TableName>]> =>
  Object.entries(SYNC_RULES[t].masked ?? {}) as Array<[string, MaskedField<TableName>]>;
const parentsOf = (t: TableName): Array<[string, TableName]> =>
  Object.entries(patientRule(t)?.parents ?? {}) as Array<[string, TableName]>;

describe('sync rules', () => {
  it('has exactly one entry for every table of src/store/tables.ts', () => {
    for (const t of tables) expect(SYNC_RULES[t], `${t} has no sync rules entry (src/server/sync/rules.ts)`).toBeDefined();
    expect(Object.keys(SYNC_RULES).sort()).toEqual([...tables].sort());
    expect([...PATIENT_TABLES, ...ORG_TABLES].sort()).toEqual([...TABLE_ORDER].sort());
  });

  it('names only columns the tables have', () => {
    for (const t of tables) {
      const rule = SYNC_RULES[t];
      const named: string[] = [
        ...(typeof rule.partition === 'object' ? Object.values(rule.partition) : []),
        ...(typeof rule.org === 'object' ? [rule.org.from] : rule.org === 'org_id' || rule.org === 'id' ? [rule.org] : []),
        ...Object.keys(rule.references ?? {}),
        ...parentsOf(t).map(([c]) => c),
        ...masked(t).flatMap(([, f]) => [
          ...f.columns,
          ...('shownTo' in f
            ? Object.entries(f.shownTo).flatMap(([k, v]) => (['via', 'orSelf', 'heldPatient'].includes(k) ? [v] : []))
            : []),
        ]),
      ];
      for (const c of named) expect(columns(t), `${t}.${c}`).toContain(c);
    }
  });

  it('finds a row’s organization by one lookup', () => {
    for (const t of tables) {
      const org = SYNC_RULES[t].org;
      if (typeof org === 'object') expect(org.sql.match(/\?/g), t).toHaveLength(1);
    }
  });

  it('points references at reference data and parents at partition tables', () => {
    for (const t of tables) {
      for (const target of Object.values(SYNC_RULES[t].references ?? {}))
        expect(ORG_TABLES, `${t} → ${target}`).toContain(target);
      for (const [, target] of parentsOf(t)) expect(PATIENT_TABLES, `${t} → ${target}`).toContain(target);
    }
  });

  it('keeps leaf tables to those decided by the policy with no other row held for them', () => {
    const parentTables = new Set(
      tables.flatMap((t) =>
        parentsOf(t)
          .filter(([, p]) => p !== t)
          .map(([, p]) => p),
      ),
    );
    for (const t of PATIENT_TABLES) {
      const rule = patientRule(t) as PatientRule<TableName>;
      if (!rule.leaf) continue;
      expect(typeof rule.travels === 'object' && 'readAs' in rule.travels, `${t} travels by the policy`).toBe(true);
      expect(parentTables.has(t), `${t} holds other rows as their parent`).toBe(false);
      expect(rule.partition.patient, `${t} is not the partition's root`).not.toBe('id');
    }
    expect(PATIENT_TABLES.filter((t) => patientRule(t)!.leaf)).toEqual([
      'records',
      'observations',
      'alerts',
      'allergy_status_changes',
      'handover_notes',
      'medication_administrations',
    ]);
  });

  it('gives each masked field its own bit, and a table held as a parent a field hidden when held only so', () => {
    // Rows held for another row (the patient of every partition row, an appointment for its records,
    // the original of an amendment) must not show what nobody there may read. (An allergy or an order
    // is read by the same people as its status moves or doses under the shipped policy: never held
    // for them alone.)
    const heldAsParent = new Set<TableName>([
      'patients',
      'appointments',
      ...tables.flatMap((t) => parentsOf(t).flatMap(([, p]) => (p === t ? [p] : []))),
    ]);
    for (const t of tables) {
      const bits = masked(t).map(([, f]) => f.bit);
      for (const b of bits) expect(b & (b - 1), `${t}: ${b} is one bit`).toBe(0);
      expect(new Set(bits).size, t).toBe(bits.length);
      expect(
        masked(t).some(([, f]) => 'hiddenWhen' in f),
        t,
      ).toBe(heldAsParent.has(t));
    }
  });

  it('partitions rows by patient, by care team, or as reference data', () => {
    expect(partOf('observations', { id: 'o1', patient_id: 'p-a' })).toBe('p:p-a');
    expect(partOf('patients', { id: 'p-a' })).toBe('p:p-a');
    expect(partOf('care_team_members', { id: 'm1', team_id: 'ct-1' })).toBe('t:ct-1');
    expect(partOf('users', { id: 'u-pat-a', patient_id: 'p-a' })).toBe('o');
  });

  it('blanks masked fields the mask does not show', () => {
    const record = { id: 'r', public_notes: 'seen', internal_notes: 'private' };
    expect(applyMask('records', record, 0)).toEqual({ ...record, internal_notes: '' });
    expect(applyMask('records', record, 1)).toEqual(record);
    expect(applyMask('records', record, 2)).toEqual({ ...record, public_notes: '', internal_notes: '' });
    const user = { id: 'u', badge: 'B-1', patient_id: 'p-a' };
    expect(applyMask('users', user, 0)).toEqual({ id: 'u', badge: null, patient_id: null });
    expect(applyMask('users', user, 1)).toEqual({ id: 'u', badge: 'B-1', patient_id: null });
    expect(applyMask('users', user, 3)).toEqual(user);
    expect(applyMask('consent_restrictions', { id: 'c', reason: 'family' }, 0)).toEqual({ id: 'c', reason: '' });
    expect(applyMask('alerts', { id: 'a', message: 'x' }, 0)).toEqual({ id: 'a', message: 'x' });
    // A patient held only as a parent: who they are stays blank, the MRN (unique) becomes the id.
    const patient = { id: 'p-v', org_id: 'o', mrn: 'GH-0099', name: 'Victor', birth_date: '1966-05-05', room_id: 'r' };
    expect(applyMask('patients', patient, 0)).toEqual(patient);
    expect(applyMask('patients', patient, 1)).toEqual({ ...patient, mrn: 'p-v', name: '', birth_date: '' });
    const visit = { id: 'ap', reason: 'Review', sensitivity: null };
    expect(applyMask('appointments', visit, 1)).toEqual(visit);
    expect(applyMask('appointments', visit, 3)).toEqual({ ...visit, reason: '' });
  });
});
