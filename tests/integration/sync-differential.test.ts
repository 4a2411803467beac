/**
 * Differential sync test: seeded random worlds × random changes × time steps × several workstations.
 * After every step each workstation syncs, and what it holds is compared with an oracle computed
 * from scratch: for its users (the server's list of them), every row they may read (the policy's
 * `list`), closed under foreign keys (a readable row's patient and appointment, which travel without
 * their name, MRN, birth date or reason when nobody there may read them),
 * limited to its organization and facility; the organization's reference data; its users' own
 * credentials. Every field equals the server's, except those no user there may read (internal notes
 * without `read_internal`, badge ids of others for non-administrators), which must be blank, and the
 * reason of a labelled appointment none of them is cleared for ("Confidential visit", no label).
 * SPEC §3b rows (allergies and their status moves, handover notes, orders, doses) travel as their
 * users may read them.
 * Changes made offline on a workstation are either on the server afterwards or reported refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor, type Actor } from '../../src/authz/actor';
import { AuthzEngine } from '../../src/authz/engine';
import type { ResourceType } from '../../src/domain/refs';
import { CONFIDENTIAL_VISIT, ROOT_ORG_ID } from '../../src/domain/roles';
import { createEnrollmentCode, recordDeviceUser } from '../../src/server/auth';
import { newWriter } from '../../src/services/context';
import type { Db, SqlValue } from '../../src/store/db';
import { TABLES, TABLE_ORDER, type TableName } from '../../src/store/tables';
import { startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld, rng } from '../helpers/randomWorld';
import {
  makeWorkstation,
  NOW,
  seedServerDb,
  serverDb,
  startServer,
  tempDir,
  type Backend,
  type TestServer,
  type TestWorkstation,
} from '../helpers/sync';

const key = (table: TableName, row: Record<string, unknown>): string =>
  TABLES[table].pk.map((k) => String(row[k])).join('\u001f');

interface Expected {
  rows: Map<TableName, Map<string, Record<string, unknown>>>;
}

/** The oracle: what the workstation should hold, from the server's data as it is now. */
async function expected(
  db: Db,
  engine: AuthzEngine,
  device: { id: string; org_id: string; facility_id: string | null },
  now: string,
): Promise<Expected> {
  const userIds = (await db.all<{ user_id: string }>('SELECT user_id FROM device_users WHERE device_id = ?', [device.id])).map(
    (r) => r.user_id,
  );
  const actors = (await Promise.all(userIds.map((u) => loadActor(db, u, now)))).filter((a): a is Actor => a !== null);
  const readable = async (type: ResourceType, action = 'read'): Promise<Set<string>> => {
    const out = new Set<string>();
    for (const a of actors)
      for (const r of await engine.listAs<{ id: string }>(a, action, type, { columns: 'm.id AS id' })) out.add(r.id);
    return out;
  };
  const all = async (table: TableName, where = '1=1', params: SqlValue[] = []): Promise<Array<Record<string, any>>> =>
    db.all(`SELECT * FROM ${table} WHERE ${where}`, params);
  const roomFacility = new Map(
    (await db.all<{ id: string; facility_id: string }>('SELECT id, facility_id FROM room_scope')).map((r) => [
      r.id,
      r.facility_id,
    ]),
  );
  const eligible = (p: Record<string, any>): boolean =>
    p.org_id === device.org_id &&
    (!device.facility_id ||
      (p.room_id
        ? roomFacility.get(p.room_id) === device.facility_id
        : (p.facility_id ?? null) === null || p.facility_id === device.facility_id));
  const patients = new Map((await all('patients')).filter(eligible).map((p) => [p.id as string, p]));
  const rows = new Map<TableName, Map<string, Record<string, unknown>>>();
  const put = (table: TableName, row: Record<string, unknown>): void => {
    if (!rows.has(table)) rows.set(table, new Map());
    rows.get(table)!.set(key(table, row), row);
  };
  const held = new Set<string>();
  for (const id of await readable('Patient')) if (patients.has(id)) held.add(id);
  const childOf = async (table: TableName, type: ResourceType): Promise<Array<Record<string, any>>> => {
    const ids = await readable(type);
    return (await all(table)).filter((r) => ids.has(r.id) && patients.has(r.patient_id));
  };
  const recs = await childOf('records', 'Record');
  // Originals that held amendments amend travel as foreign-key parents, notes blank.
  const allRecs = new Map((await all('records')).map((r) => [r.id as string, r]));
  const closure: Array<Record<string, any>> = [];
  const recIds = new Set(recs.map((r) => r.id as string));
  for (let frontier = [...recs]; frontier.length > 0;) {
    const next: Array<Record<string, any>> = [];
    for (const r of frontier) {
      const o = r.amends_id ? allRecs.get(r.amends_id) : undefined;
      if (o && !recIds.has(o.id)) {
        recIds.add(o.id);
        closure.push(o);
        next.push(o);
      }
    }
    frontier = next;
  }
  const obs = await childOf('observations', 'Observation');
  const alerts = await childOf('alerts', 'Alert');
  const nursing = [
    ['allergies', await childOf('allergies', 'Allergy')],
    ['allergy_status_changes', await childOf('allergy_status_changes', 'AllergyStatusChange')],
    ['handover_notes', await childOf('handover_notes', 'HandoverNote')],
    ['medication_orders', await childOf('medication_orders', 'MedicationOrder')],
    ['medication_administrations', await childOf('medication_administrations', 'MedicationAdministration')],
  ] as const;
  const readableAppts = await readable('Appointment');
  const apptIds = new Set(readableAppts);
  for (const r of [...recs, ...closure, ...obs]) if (r.appointment_id) apptIds.add(r.appointment_id);
  // A labelled appointment's reason (and label) only where someone there is cleared for it.
  const reasonFor = await readable('Appointment', 'read_reason');
  const appts = (await all('appointments'))
    .filter((a) => apptIds.has(a.id) && patients.has(a.patient_id))
    .map((a) => (a.sensitivity && !reasonFor.has(a.id) ? { ...a, reason: CONFIDENTIAL_VISIT, sensitivity: null } : a));
  const reviewer = (
    await Promise.all(
      actors.map(
        async (a) =>
          (await engine.decideAs(a, 'read_audit', { type: 'Organization', id: device.org_id })) === 'allow' ||
          a.assignments.some(
            (g) =>
              g.role === 'auditor' &&
              g.scope_type === 'Organization' &&
              g.scope_id === device.org_id &&
              (g.valid_from === null || g.valid_from <= now) &&
              (g.valid_until === null || now < g.valid_until),
          ),
      ),
    )
  ).some(Boolean);
  const bg = (await all('break_glass')).filter(
    (b) => patients.has(b.patient_id) && (reviewer || (userIds.includes(b.user_id) && now < b.expires_at)),
  );
  const internal = await readable('Record', 'read_internal');
  for (const r of recs) put('records', { ...r, internal_notes: internal.has(r.id) ? r.internal_notes : '' });
  for (const r of closure) put('records', { ...r, public_notes: '', internal_notes: '' });
  // An appointment held only as the parent of a readable row travels without its reason.
  const apptsAsSent = appts.map((a) => (readableAppts.has(a.id) ? a : { ...a, reason: '' }));
  for (const [table, list] of [
    ['observations', obs],
    ['alerts', alerts],
    ['appointments', apptsAsSent],
    ['break_glass', bg],
    ...nursing,
  ] as const) {
    for (const r of list) {
      put(table, r);
      held.add(r.patient_id);
    }
  }
  for (const r of recs) held.add(r.patient_id);
  // A patient nobody there may read, held as a foreign-key parent, travels without who they are.
  const readablePatients = await readable('Patient');
  for (const id of held) {
    const p = patients.get(id)!;
    put('patients', readablePatients.has(id) ? p : { ...p, name: '', mrn: id, birth_date: '' });
  }
  for (const c of await all('care_team_patients', 'team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', [device.org_id]))
    if (held.has(c.patient_id)) put('care_team_patients', c);
  // Consent restrictions travel with a held patient where the user they name is one of the
  // workstation's (a deny the local policy must see), or where someone may update the patient; their
  // reason only there.
  const mayUpdate = await readable('Patient', 'update');
  for (const c of await all('consent_restrictions'))
    if (held.has(c.patient_id) && (userIds.includes(c.user_id) || mayUpdate.has(c.patient_id)))
      put('consent_restrictions', { ...c, reason: mayUpdate.has(c.patient_id) ? c.reason : '' });
  // Reference data of the organization (and the `_root` organization and its users).
  const org = device.org_id;
  for (const r of await all('organizations', 'id IN (?, ?)', [org, ROOT_ORG_ID])) put('organizations', r);
  for (const t of ['facilities', 'groups', 'role_assignments', 'care_teams'] as const)
    for (const r of await all(t, 'org_id = ?', [org])) put(t, r);
  for (const r of await all('wards', 'facility_id IN (SELECT id FROM facilities WHERE org_id = ?)', [org])) put('wards', r);
  for (const r of await all('rooms', 'id IN (SELECT id FROM room_scope WHERE org_id = ?)', [org])) put('rooms', r);
  for (const r of await all('group_members', 'group_id IN (SELECT id FROM groups WHERE org_id = ?)', [org]))
    put('group_members', r);
  for (const t of ['care_team_specialties', 'care_team_members'] as const)
    for (const r of await all(t, 'team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', [org])) put(t, r);
  const badgeFor = new Set<string>(userIds);
  for (const a of actors)
    for (const r of await engine.listAs<{ id: string }>(a, 'update_badge', 'User', { columns: 'm.id AS id' })) badgeFor.add(r.id);
  for (const u of await all('users', 'org_id IN (?, ?)', [org, ROOT_ORG_ID])) {
    put('users', {
      ...u,
      badge: badgeFor.has(u.id) ? u.badge : null,
      patient_id: u.patient_id && held.has(u.patient_id) ? u.patient_id : null,
    });
  }
  for (const c of await all('credentials')) {
    if (
      userIds.includes(c.user_id) &&
      (await db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [c.user_id]))?.org_id !== ROOT_ORG_ID
    )
      put('credentials', c);
  }
  return { rows };
}

const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v === undefined ? null : v);

async function holdings(ws: TestWorkstation): Promise<Map<TableName, Map<string, Record<string, unknown>>>> {
  const out = new Map<TableName, Map<string, Record<string, unknown>>>();
  for (const t of TABLE_ORDER) {
    const rows = await ws.db.all<Record<string, unknown>>(`SELECT * FROM ${t}`);
    if (rows.length) out.set(t, new Map(rows.map((r) => [key(t, r), r])));
  }
  return out;
}

function compare(name: string, want: Expected, got: Map<TableName, Map<string, Record<string, unknown>>>): string[] {
  const problems: string[] = [];
  for (const t of TABLE_ORDER) {
    const w = want.rows.get(t) ?? new Map();
    const g = got.get(t) ?? new Map();
    for (const k of w.keys()) if (!g.has(k)) problems.push(`${name}: missing ${t} ${k}`);
    for (const k of g.keys()) if (!w.has(k)) problems.push(`${name}: holds ${t} ${k} that no user there may read`);
    for (const [k, row] of w) {
      const have = g.get(k);
      if (!have) continue;
      for (const c of TABLES[t].columns) {
        if (String(norm(row[c])) !== String(norm(have[c])))
          problems.push(`${name}: ${t} ${k}.${c} is ${JSON.stringify(have[c])}, expected ${JSON.stringify(row[c])}`);
      }
    }
  }
  return problems;
}

/**
 * Tables whose rows the workstations must have held in every run: without them the comparison would
 * pass vacuously, e.g. if medication tables were dropped from the sync rules (src/server/sync/rules.ts).
 */
const NURSING_TABLES = [
  'allergies',
  'allergy_status_changes',
  'handover_notes',
  'medication_orders',
  'medication_administrations',
] as const satisfies readonly TableName[];

async function run(
  backend: Backend,
  cluster: Cluster | null,
  seed: number,
  steps: number,
): Promise<{ checks: number; changes: number; nursing: Record<(typeof NURSING_TABLES)[number], number> }> {
  const tmp = tempDir('cw-syncdiff-');
  const db = await serverDb(backend, cluster, tmp.dir);
  const world = randomWorld(seed, 1, { sensitive: true, nursing: true });
  await seedServerDb(db, world);
  const srv: TestServer = await startServer(db);
  // Its own engine: the filter cache is proven against Oso by the policy differential tests.
  const oracle = await AuthzEngine.create({ db, clock: srv.clock });
  const r = rng(seed * 7919);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const stations: Array<{ ws: TestWorkstation; device: { id: string; org_id: string; facility_id: string | null } }> = [];
  let changes = 0;
  let checks = 0;
  /** Rows of the SPEC §3b tables the workstations held across all checks: the comparison had them to compare. */
  const nursing: Record<(typeof NURSING_TABLES)[number], number> = Object.fromEntries(NURSING_TABLES.map((t) => [t, 0])) as never;
  try {
    const orgUsers = async (org: string): Promise<string[]> =>
      (await db.all<{ id: string }>('SELECT id FROM users WHERE org_id = ? ORDER BY id', [org])).map((u) => u.id);
    // Enrollment codes are made by an administrator of the organization (a code dies with its creator's right).
    for (const org of ['o1', 'o2']) {
      await db.run("INSERT INTO users (id, org_id, name, username) VALUES (?, ?, 'Enroller', ?)", [
        `enroller-${org}`,
        org,
        `enroller-${org}`,
      ]);
      await db.run(
        "INSERT INTO role_assignments (id, user_id, role, scope_type, scope_id, org_id, categories) VALUES (?, ?, 'admin', 'Organization', ?, ?, '[]')",
        [`ra-enroller-${org}`, `enroller-${org}`, org, org],
      );
    }
    for (const [i, spec] of [
      { org: 'o1', facility: null },
      { org: 'o1', facility: 'o1-f1' },
      { org: 'o2', facility: null },
    ].entries()) {
      const ws = await makeWorkstation(`ws${i}`, tmp.dir, { pageLimit: 1 + Math.floor(r() * 30) });
      const admin = `enroller-${spec.org}`;
      const { code } = await createEnrollmentCode(db, {
        orgId: spec.org,
        facilityId: spec.facility,
        createdBy: admin,
        now: NOW,
        validHours: 1,
      });
      const e = await ws.sync.enroll(srv.url, code, `ws${i}`);
      stations.push({ ws, device: { id: e.device_id, org_id: spec.org, facility_id: spec.facility } });
      for (const u of (await orgUsers(spec.org)).filter((id) => !id.startsWith('enroller-')).filter(() => r() < 0.3))
        await recordDeviceUser(db, e.device_id, u, NOW);
    }
    const write = async (fn: (w: ReturnType<typeof newWriter>) => Promise<unknown>): Promise<void> => {
      await db.transaction(async () => {
        await fn(newWriter(srv.server.ctx));
      });
      changes++;
    };
    const rows = async (table: TableName, where = '1=1', params: SqlValue[] = []): Promise<Array<Record<string, any>>> =>
      db.all(`SELECT * FROM ${table} WHERE ${where}`, params);
    for (let step = 0; step <= steps; step++) {
      if (step > 0) {
        const kind = pick([
          'room',
          'obs',
          'appt',
          'assign',
          'revoke',
          'team',
          'group',
          'teamPatient',
          'breakGlass',
          'clock',
          'signIn',
          'record',
          'local',
          'consent',
          'restrict',
          'relabel',
          'amend',
          'obsAppt',
          'allergy',
          'allergyStatus',
          'handover',
          'order',
          'stopOrder',
          'dose',
          'label',
          'localDose',
        ]);
        const org = pick(['o1', 'o2']);
        const patients = await rows('patients', 'org_id = ?', [org]);
        const p = pick(patients);
        const users = await orgUsers(org);
        const now = srv.clock.now().toISOString();
        const n = `${seed}-${step}`;
        switch (kind) {
          case 'room': {
            const rooms = (await rows('rooms', 'id IN (SELECT id FROM room_scope WHERE org_id = ?)', [org])).map((x) => x.id);
            await write((w) =>
              w.update('patients', { id: p.id }, { room_id: r() < 0.2 ? null : pick(rooms), name: `Moved ${n}` }),
            );
            break;
          }
          case 'obs':
            await write((w) =>
              w.insert('observations', {
                id: `obs-${n}`,
                patient_id: p.id,
                appointment_id: null,
                category: pick(['vitals', 'lab', 'imaging']),
                code: 'x',
                value: String(step),
                unit: '',
                recorded_by: pick(users),
                recorded_at: now,
              }),
            );
            break;
          case 'appt': {
            const appts = await rows('appointments', 'patient_id = ?', [p.id]);
            if (appts.length && r() < 0.6)
              await write((w) =>
                w.update(
                  'appointments',
                  { id: pick(appts).id },
                  { status: pick(['scheduled', 'in_progress', 'completed', 'canceled']) },
                ),
              );
            else
              await write((w) =>
                w.insert('appointments', {
                  id: `ap-${n}`,
                  patient_id: p.id,
                  clinician_id: pick(users),
                  scheduled_at: now,
                  reason: 'Visit',
                  status: pick(['scheduled', 'in_progress']),
                  sensitivity: r() < 0.3 ? pick(['hiv', 'psychiatry']) : null,
                }),
              );
            break;
          }
          case 'label': {
            // An appointment gains or loses a label: its reason is re-masked on every workstation.
            const appts = await rows('appointments', 'patient_id = ?', [p.id]);
            if (appts.length) {
              const a = pick(appts);
              await write((w) =>
                w.update(
                  'appointments',
                  { id: a.id },
                  { sensitivity: a.sensitivity ? null : pick(['hiv', 'psychiatry', 'genetic']) },
                ),
              );
            }
            break;
          }
          case 'allergy':
            await write((w) =>
              w.insert('allergies', {
                id: `alg-${n}`,
                patient_id: p.id,
                substance: pick(['Penicillin', 'Latex']),
                reaction: null,
                severity: pick(['mild', 'severe']),
                status: 'active',
                recorded_by: pick(users),
                recorded_at: now,
              }),
            );
            break;
          case 'allergyStatus': {
            // Never deleted: the status moves and the move is kept.
            const existing = await rows('allergies', 'patient_id = ?', [p.id]);
            if (existing.length) {
              const a = pick(existing);
              const status = pick(['active', 'inactive', 'entered_in_error'].filter((x) => x !== a.status));
              const by = pick(users);
              await write(async (w) => {
                await w.update(
                  'allergies',
                  { id: a.id },
                  { status, status_changed_by: by, status_changed_at: now, status_reason: `Why ${n}` },
                );
                await w.insert('allergy_status_changes', {
                  id: `asc-${n}`,
                  allergy_id: a.id,
                  patient_id: p.id,
                  previous_status: a.status,
                  status,
                  changed_by: by,
                  changed_at: now,
                  reason: `Why ${n}`,
                });
              });
            }
            break;
          }
          case 'handover':
            await write((w) =>
              w.insert('handover_notes', {
                id: `ho-${n}`,
                patient_id: p.id,
                author_id: pick(users),
                written_at: now,
                situation: `S ${n}`,
                background: 'B',
                assessment: 'A',
                recommendation: 'R',
              }),
            );
            break;
          case 'order':
            await write((w) =>
              w.insert('medication_orders', {
                id: `mo-${n}`,
                patient_id: p.id,
                medication: 'Paracetamol',
                product_code: '0501',
                dose: 1,
                unit: 'g',
                route: 'oral',
                times: '["08:00"]',
                prn: 0,
                controlled: r() < 0.3 ? 1 : 0,
                starts_at: now,
                ends_at: r() < 0.5 ? new Date(Date.parse(now) + 90 * 60_000).toISOString() : null,
                prescriber_id: pick(users),
                status: 'active',
              }),
            );
            break;
          case 'stopOrder': {
            const orders = await rows('medication_orders', "patient_id = ? AND status = 'active'", [p.id]);
            if (orders.length)
              await write((w) =>
                w.update(
                  'medication_orders',
                  { id: pick(orders).id },
                  { status: 'stopped', stopped_by: pick(users), stopped_at: now, stop_reason: 'Course complete' },
                ),
              );
            break;
          }
          case 'dose': {
            const orders = await rows('medication_orders', 'patient_id = ?', [p.id]);
            if (orders.length) {
              const o = pick(orders);
              const status = pick(['given', 'held', 'refused']);
              await write((w) =>
                w.insert('medication_administrations', {
                  id: `ma-${n}`,
                  order_id: o.id,
                  patient_id: p.id,
                  status,
                  scheduled_for: null,
                  at: now,
                  dose: o.dose,
                  administered_by: pick(users),
                  witness_id: o.controlled ? pick(users) : null,
                  reason: status === 'given' ? null : 'Asleep',
                  patient_scanned: 1,
                  product_scanned: 1,
                  possible_double_dose: 0,
                }),
              );
            }
            break;
          }
          case 'record': {
            const appts = await rows('appointments', 'patient_id = ?', [p.id]);
            if (appts.length)
              await write((w) =>
                w.insert('records', {
                  id: `rec-${n}`,
                  appointment_id: pick(appts).id,
                  patient_id: p.id,
                  category: pick(['cardiology', 'surgery', 'general']),
                  author_id: pick(users),
                  public_notes: `pub ${n}`,
                  internal_notes: `int ${n}`,
                  created_at: now,
                  amends_id: null,
                  sensitivity: r() < 0.3 ? pick(['psychiatry', 'hiv', 'genetic']) : null,
                }),
              );
            break;
          }
          case 'assign': {
            const scopes = [
              `Organization:${org}`,
              ...(await rows('wards', 'facility_id IN (SELECT id FROM facilities WHERE org_id = ?)', [org])).map(
                (x) => `Ward:${x.id}`,
              ),
            ];
            const [st, sid] = pick(scopes).split(':');
            const until = r() < 0.5 ? new Date(Date.parse(now) + (30 + Math.floor(r() * 240)) * 60_000).toISOString() : null;
            await write((w) =>
              w.insert('role_assignments', {
                id: `ra-${n}`,
                user_id: pick(users),
                group_id: null,
                role: pick(['nurse', 'physician', 'admin', 'registration_clerk', 'lab_technician', 'auditor']),
                scope_type: st,
                scope_id: sid,
                org_id: org,
                categories: '["lab"]',
                valid_from: null,
                valid_until: until,
                clearances:
                  r() < 0.4 ? JSON.stringify(pick([['restricted'], ['psychiatry', 'hiv'], ['genetic', 'restricted']])) : '[]',
              }),
            );
            break;
          }
          case 'revoke': {
            const ras = await rows('role_assignments', 'org_id = ?', [org]);
            if (ras.length) await write((w) => w.delete('role_assignments', { id: pick(ras).id }));
            break;
          }
          case 'team': {
            const teams = await rows('care_teams', 'org_id = ?', [org]);
            const members = await rows('care_team_members', 'team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', [org]);
            if (members.length && r() < 0.4) await write((w) => w.delete('care_team_members', { id: pick(members).id }));
            else if (teams.length)
              await write((w) =>
                w.insert('care_team_members', {
                  id: `ctm-${n}`,
                  team_id: pick(teams).id,
                  user_id: pick(users),
                  group_id: null,
                  role: 'member',
                }),
              );
            if (teams.length && r() < 0.3)
              await write((w) => w.insert('care_team_specialties', { team_id: pick(teams).id, specialty: `spec-${n}` }));
            break;
          }
          case 'teamPatient': {
            const teams = await rows('care_teams', 'org_id = ?', [org]);
            const links = await rows('care_team_patients', 'team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', [org]);
            if (links.length && r() < 0.4) {
              const l = pick(links);
              await write((w) => w.delete('care_team_patients', { team_id: l.team_id, patient_id: l.patient_id }));
            } else if (teams.length) {
              const t = pick(teams).id;
              if (!links.some((l) => l.team_id === t && l.patient_id === p.id))
                await write((w) => w.insert('care_team_patients', { team_id: t, patient_id: p.id }));
            }
            break;
          }
          case 'group': {
            const groups = await rows('groups', 'org_id = ?', [org]);
            const members = await rows('group_members', 'group_id IN (SELECT id FROM groups WHERE org_id = ?)', [org]);
            if (members.length && r() < 0.4) {
              const m = pick(members);
              await write((w) => w.delete('group_members', { group_id: m.group_id, user_id: m.user_id }));
            } else if (groups.length) {
              const g = pick(groups).id;
              const u = pick(users);
              if (!members.some((m) => m.group_id === g && m.user_id === u))
                await write((w) => w.insert('group_members', { group_id: g, user_id: u }));
            }
            break;
          }
          case 'breakGlass': {
            const started = new Date(Date.parse(now) - Math.floor(r() * 30) * 60_000).toISOString();
            await write((w) =>
              w.insert('break_glass', {
                id: `bg-${n}`,
                user_id: pick(users),
                patient_id: p.id,
                reason: 'Emergency on ward',
                started_at: started,
                expires_at: new Date(Date.parse(started) + 60 * 60_000).toISOString(),
                overrides: '[]',
              }),
            );
            break;
          }
          case 'consent': {
            const existing = await rows('consent_restrictions', 'patient_id = ?', [p.id]);
            if (existing.length && r() < 0.4) await write((w) => w.delete('consent_restrictions', { id: pick(existing).id }));
            else {
              const u = pick(users);
              if (!existing.some((c) => c.user_id === u))
                await write((w) =>
                  w.insert('consent_restrictions', {
                    id: `cr-${n}`,
                    org_id: org,
                    patient_id: p.id,
                    user_id: u,
                    reason: `Reason ${n}`,
                    recorded_by: null,
                    recorded_at: now,
                  }),
                );
            }
            break;
          }
          case 'obsAppt': {
            // Vitals taken during an appointment: the appointment travels with them.
            const appts = await rows('appointments', 'patient_id = ?', [p.id]);
            if (appts.length)
              await write((w) =>
                w.insert('observations', {
                  id: `obs-${n}`,
                  patient_id: p.id,
                  appointment_id: pick(appts).id,
                  category: 'vitals',
                  code: 'x',
                  value: String(step),
                  unit: '',
                  recorded_by: pick(users),
                  recorded_at: now,
                  sensitivity: r() < 0.3 ? pick(['psychiatry', 'hiv']) : null,
                }),
              );
            break;
          }
          case 'relabel': {
            // A record or observation gains or loses a sensitivity label: it may leave or join workstations on its own.
            const table = pick(['records', 'observations'] as const);
            const existing = await rows(table, 'patient_id = ?', [p.id]);
            if (existing.length) {
              const x = pick(existing);
              await write((w) =>
                w.update(table, { id: x.id }, { sensitivity: x.sensitivity ? null : pick(['psychiatry', 'hiv', 'genetic']) }),
              );
            }
            break;
          }
          case 'amend': {
            // An amendment of an existing record (its original travels with it, closure-only where unreadable).
            const existing = await rows('records', 'patient_id = ?', [p.id]);
            if (existing.length) {
              const o = pick(existing);
              await write((w) =>
                w.insert('records', {
                  id: `rec-${n}`,
                  appointment_id: o.appointment_id,
                  patient_id: p.id,
                  category: o.category,
                  author_id: pick(users),
                  public_notes: `amended ${n}`,
                  internal_notes: `int ${n}`,
                  created_at: now,
                  amends_id: o.id,
                  sensitivity: r() < 0.3 ? pick(['psychiatry', 'hiv']) : null,
                }),
              );
            }
            break;
          }
          case 'restrict':
            await write((w) => w.update('patients', { id: p.id }, { restricted: p.restricted ? 0 : 1 }));
            break;
          case 'clock':
            srv.clock.advanceMinutes(10 + Math.floor(r() * 170));
            break;
          case 'signIn': {
            const s = pick(stations);
            await recordDeviceUser(db, s.device.id, pick(await orgUsers(s.device.org_id)), srv.clock.now().toISOString());
            break;
          }
          case 'localDose': {
            // A workstation records a dose held offline through the real use case (issue 19: a fact the
            // server keeps, decided again as at the bedside when access changed meanwhile, or refused).
            const s = pick(stations);
            const orders = await s.ws.db.all<{ id: string; prn: number; times: string }>(
              "SELECT id, prn, times FROM medication_orders WHERE status = 'active'",
            );
            const us = await db.all<{ user_id: string }>('SELECT user_id FROM device_users WHERE device_id = ?', [s.device.id]);
            if (orders.length && us.length) {
              const o = pick(orders);
              const time = (JSON.parse(o.times) as string[])[0];
              await s.ws
                .run(pick(us).user_id, 'recordAdministration', {
                  id: `mad-${n}`,
                  order_id: o.id,
                  status: 'held',
                  reason: 'Nil by mouth before theatre',
                  ...(o.prn || !time ? {} : { scheduled_for: `${now.slice(0, 10)}T${time}:00.000Z` }),
                })
                .catch(() => undefined);
            }
            break;
          }
          case 'local': {
            // A workstation records vitals offline as one of its users (may be refused by the server).
            const s = pick(stations);
            const held = await s.ws.db.all<{ id: string }>('SELECT id FROM patients');
            const us = await db.all<{ user_id: string }>('SELECT user_id FROM device_users WHERE device_id = ?', [s.device.id]);
            if (held.length && us.length) {
              await s.ws
                .run(pick(us).user_id, 'recordObservation', {
                  patient_id: pick(held).id,
                  category: 'vitals',
                  code: 'heart_rate',
                  value: '80',
                  unit: '/min',
                })
                .catch(() => undefined);
            }
            break;
          }
        }
      }
      for (const s of stations) {
        const status = await s.ws.sync.syncNow();
        expect(status.mode, `${s.ws.name} after step ${step}: ${status.last_error}`).toBe('online');
        expect(status.pending).toBe(0);
        const now = srv.clock.now().toISOString();
        const held = await holdings(s.ws);
        const problems = compare(`seed ${seed} step ${step} ${s.ws.name}`, await expected(db, oracle, s.device, now), held);
        for (const t of NURSING_TABLES) nursing[t] += held.get(t)?.size ?? 0;
        expect(problems.slice(0, 10)).toEqual([]);
        checks++;
        // Nothing written here is lost: every applied outbox entry is on the server.
        for (const o of await s.ws.db.all<{ id: string; status: string }>(
          "SELECT id, status FROM outbox WHERE status = 'applied'",
        )) {
          expect(await db.get('SELECT 1 FROM mutations WHERE id = ? AND status = ?', [o.id, 'applied'])).toBeDefined();
        }
      }
    }
    return { checks, changes, nursing };
  } finally {
    for (const s of stations) await s.ws.close();
    await srv.close();
    await db.close();
    tmp.cleanup();
  }
}

describe('differential sync', () => {
  let cluster: Cluster | null = null;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => {
    cluster?.stop();
  });

  it.each([11, 23, 47])(
    'seed %i on SQLite: every workstation holds exactly what its users may read',
    async (seed) => {
      const { checks, changes, nursing } = await run('sqlite', null, seed, 25);
      expect(checks).toBe(78);
      expect(changes).toBeGreaterThan(10);
      for (const t of NURSING_TABLES) expect(nursing[t], `${t} held somewhere`).toBeGreaterThan(0);
    },
    900_000,
  );

  it('seed 5 on PostgreSQL', async () => {
    const { checks, nursing } = await run('postgres', cluster, 5, 20);
    expect(checks).toBe(63);
    for (const t of NURSING_TABLES) expect(nursing[t], `${t} held somewhere`).toBeGreaterThan(0);
  }, 900_000);
});
