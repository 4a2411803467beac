/**
 * Seeded random hospital worlds for the differential test: every shape the policy distinguishes
 * (scopes at all four levels, roomless patients, groups, care teams with specialties, validity
 * windows in the past/now/future, active and expired break-glass, every status) in small numbers.
 */
import { APPOINTMENT_STATUSES, CLEARANCES, PATIENT_STATUSES, ROLES, SENSITIVITY_LABELS } from '../../src/domain/roles';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = Date.parse('2026-11-23T10:00:00Z');
const hours = (h: number): string => new Date(NOW + h * 3_600_000).toISOString();

export interface RandomWorldOptions {
  /**
   * SPEC §3a shapes on top of the same world: labelled records and observations, clearances on
   * assignments (shift windows included), care teams with label specialties, restricted patients,
   * outpatients registered at a facility, consent restrictions (some overridden by a break-glass).
   */
  sensitive?: boolean;
}

export function randomWorld(seed: number, size = 1, opts: RandomWorldOptions = {}): Record<string, unknown> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const subset = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => chance(p));
  const f = {
    now: hours(0),
    organizations: [{ id: '_root', name: 'Root' }] as object[],
    facilities: [] as object[],
    wards: [] as object[],
    rooms: [] as object[],
    users: [] as object[],
    groups: [] as object[],
    role_assignments: [] as object[],
    care_teams: [] as object[],
    patients: [] as object[],
    appointments: [] as object[],
    records: [] as object[],
    observations: [] as object[],
    alerts: [] as object[],
    break_glass: [] as object[],
    audit_events: [] as object[],
  };
  f.users.push({ id: 'root', org: '_root', name: 'Root', username: 'root' });
  const categories = ['vitals', 'lab', 'imaging'];
  const specialties = ['cardiology', 'surgery', 'general', 'neurology'];
  for (const o of ['o1', 'o2'].slice(0, size >= 1 ? 2 : 1)) {
    f.organizations.push({ id: o, name: `Org ${o}` });
    const scopes: string[] = [`Organization:${o}`];
    const rooms: string[] = [];
    for (let fi = 1; fi <= 2; fi++) {
      const fac = `${o}-f${fi}`;
      f.facilities.push({ id: fac, org: o, name: fac });
      scopes.push(`Facility:${fac}`);
      for (let wi = 1; wi <= 2; wi++) {
        const ward = `${fac}-w${wi}`;
        f.wards.push({ id: ward, facility: fac, name: ward });
        scopes.push(`Ward:${ward}`);
        for (let ri = 1; ri <= 2; ri++) {
          const room = `${ward}-r${ri}`;
          f.rooms.push({ id: room, ward, name: room });
          scopes.push(`Room:${room}`);
          rooms.push(room);
        }
      }
    }
    const patients: string[] = [];
    for (let i = 1; i <= 8 * size; i++) {
      const id = `${o}-p${i}`;
      patients.push(id);
      f.patients.push({
        id,
        org: o,
        mrn: `${o}-${i}`,
        name: `Patient ${id}`,
        birth_date: '1970-01-01',
        room: chance(0.75) ? pick(rooms) : null,
        status: pick(PATIENT_STATUSES),
      });
    }
    const users: string[] = [];
    for (let i = 1; i <= 10 * size; i++) {
      const id = `${o}-u${i}`;
      users.push(id);
      f.users.push({ id, org: o, name: `User ${id}`, username: id, ...(i === 1 ? { patient: pick(patients) } : {}) });
      const n = i === 1 ? 0 : 1 + Math.floor(r() * 2);
      for (let k = 0; k < n; k++) f.role_assignments.push(assignment({ user: id }));
    }
    const groups: string[] = [];
    for (let g = 1; g <= 2; g++) {
      const id = `${o}-g${g}`;
      groups.push(id);
      f.groups.push({ id, org: o, name: id, members: subset(users, 0.3) });
      f.role_assignments.push(assignment({ group: id }));
    }
    for (let t = 1; t <= 2; t++) {
      f.care_teams.push({
        id: `${o}-ct${t}`,
        org: o,
        name: `Team ${t}`,
        specialties: subset(specialties, 0.4),
        patients: subset(patients, 0.3),
        members: [
          ...subset(users, 0.2).map((u) => ({ user: u, role: pick(['member', 'lead']) })),
          ...subset(groups, 0.4).map((g) => ({ group: g })),
        ],
      });
    }
    const appts: Array<{ id: string; patient: string }> = [];
    for (let i = 1; i <= 14 * size; i++) {
      const a = { id: `${o}-a${i}`, patient: pick(patients) };
      appts.push(a);
      f.appointments.push({
        ...a,
        clinician: pick(users),
        scheduled_at: hours(Math.floor(r() * 96) - 48),
        reason: 'Visit',
        status: pick(APPOINTMENT_STATUSES),
      });
    }
    const recs: Array<{ id: string; appointment: string; category: string }> = [];
    for (let i = 1; i <= 10 * size; i++) {
      const amended = recs.length > 0 && chance(0.2) ? pick(recs) : null;
      const ap = amended ? amended.appointment : pick(appts).id;
      const rec = { id: `${o}-rec${i}`, appointment: ap, category: amended ? amended.category : pick(specialties) };
      recs.push(rec);
      f.records.push({
        ...rec,
        author: pick(users),
        public_notes: 'p',
        internal_notes: 'i',
        created_at: hours(-i),
        ...(amended ? { amends: amended.id } : {}),
      });
    }
    for (let i = 1; i <= 14 * size; i++) {
      const withAp = chance(0.3) ? pick(appts) : null;
      f.observations.push({
        id: `${o}-obs${i}`,
        patient: withAp ? withAp.patient : pick(patients),
        appointment: withAp?.id ?? null,
        category: pick(categories),
        code: 'x',
        value: '1',
        unit: '',
        recorded_by: pick(users),
        recorded_at: hours(-i),
      });
    }
    for (let i = 1; i <= 6 * size; i++) {
      f.alerts.push({
        id: `${o}-al${i}`,
        patient: pick(patients),
        kind: 'k',
        severity: pick(['low', 'high']),
        message: 'm',
        due_at: hours(i),
        status: pick(['open', 'acknowledged']),
      });
    }
    for (let i = 1; i <= 3; i++) {
      const start = pick([-3, -0.5, 2]);
      f.break_glass.push({
        id: `${o}-bg${i}`,
        user: pick(users),
        patient: pick(patients),
        reason: 'Emergency on ward',
        started_at: hours(start),
        expires_at: hours(start + 1),
      });
    }
    for (let i = 1; i <= 3; i++)
      f.audit_events.push({
        id: `${o}-ev${i}`,
        at: hours(-i),
        actor: pick(users),
        action: 'read',
        resource: `Patient:${pick(patients)}`,
        decision: 'allow',
        org: o,
      });

    function assignment(holder: object): object {
      const role = pick(ROLES);
      const window = pick(['always', 'always', 'current', 'past', 'future', 'ends-now']);
      const validity = {
        always: {},
        current: { valid_from: hours(-2), valid_until: hours(6) },
        past: { valid_from: hours(-30), valid_until: hours(-18) },
        future: { valid_from: hours(12), valid_until: hours(24) },
        'ends-now': { valid_from: hours(-8), valid_until: hours(0) },
      }[window];
      return {
        ...holder,
        role,
        scope: pick(scopes),
        ...(role === 'lab_technician' ? { categories: subset(categories, 0.6) } : {}),
        ...validity,
      };
    }
  }
  if (opts.sensitive) addSensitive(f as unknown as World, rng(seed ^ 0x5e5_1717));
  return f;
}

type Row = Record<string, unknown>;
interface World {
  facilities: Row[];
  users: Row[];
  role_assignments: Row[];
  care_teams: Row[];
  patients: Row[];
  records: Row[];
  observations: Row[];
  break_glass: Row[];
  consent_restrictions?: Row[];
}

/** Adds the SPEC §3a shapes with its own random stream, so the base world stays the same. */
function addSensitive(f: World, r: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const orgOf = (id: string): string => id.split('-')[0]!;
  const labelled = (): object => (chance(0.4) ? { sensitivity: pick(SENSITIVITY_LABELS) } : {});
  for (const p of f.patients) {
    if (!p.room && chance(0.6)) p.facility = pick(f.facilities.filter((x) => x.org === p.org)).id;
    if (chance(0.25)) p.restricted = true;
  }
  for (const a of f.role_assignments) if (chance(0.45)) a.clearances = CLEARANCES.filter(() => chance(0.35));
  for (const t of f.care_teams)
    if (chance(0.6)) t.specialties = [...new Set([...(t.specialties as string[]), pick(SENSITIVITY_LABELS)])];
  for (const x of [...f.records, ...f.observations]) Object.assign(x, labelled());
  // An amendment keeps its original's label (it may add one): records are listed originals first.
  const byId = new Map(f.records.map((x) => [x.id, x]));
  for (const x of f.records) {
    const original = x.amends ? byId.get(x.amends) : undefined;
    if (original?.sensitivity) x.sensitivity = original.sensitivity;
  }
  f.consent_restrictions = [];
  const seen = new Set<string>();
  const restrict = (patient: string, user: string): void => {
    if (seen.has(`${patient}|${user}`) || orgOf(patient) !== orgOf(user)) return;
    seen.add(`${patient}|${user}`);
    f.consent_restrictions!.push({ id: `cr-${seen.size}`, patient, user, reason: 'Patient asked' });
  };
  // Some break-glass users are the very users the patient restricted: the override must win.
  for (const g of f.break_glass) if (chance(0.5)) restrict(g.patient as string, g.user as string);
  const staff = f.users.filter((u) => u.org !== '_root' && !u.patient);
  for (let i = 0; i < 6; i++) {
    const p = pick(f.patients);
    restrict(p.id as string, pick(staff.filter((u) => u.org === p.org)).id as string);
  }
}
