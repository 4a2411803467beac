/**
 * Seeded random hospital worlds for the differential test: every shape the policy distinguishes
 * (scopes at all four levels, roomless patients, groups, care teams with specialties, validity
 * windows in the past/now/future, active and expired break-glass, every status) in small numbers.
 */
import {
  ADMINISTRATION_STATUSES,
  ALLERGY_SEVERITIES,
  ALLERGY_STATUSES,
  APPOINTMENT_STATUSES,
  CLEARANCES,
  MEDICATION_ROUTES,
  PATIENT_STATUSES,
  ROLES,
  SENSITIVITY_LABELS,
} from '../../src/domain/roles';

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
   * outpatients registered at a facility, consent restrictions (some overridden by a break-glass),
   * labelled appointments.
   */
  sensitive?: boolean;
  /**
   * SPEC §3b on top (its own random stream): allergies and their status moves, handover notes, orders
   * and doses, SpO2 scales, vital-sign sets.
   */
  nursing?: boolean;
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
  if (opts.nursing) addNursing(f as unknown as World, rng(seed ^ 0x3b_0_3b));
  return f;
}

type Row = Record<string, unknown>;
interface World {
  facilities: Row[];
  users: Row[];
  role_assignments: Row[];
  care_teams: Row[];
  patients: Row[];
  appointments: Row[];
  records: Row[];
  observations: Row[];
  break_glass: Row[];
  consent_restrictions?: Row[];
  allergies?: Row[];
  allergy_status_changes?: Row[];
  handover_notes?: Row[];
  medication_orders?: Row[];
  medication_administrations?: Row[];
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
  // Labelled appointments (SPEC §3a): the reason is for cleared users only. The stream's last draws,
  // so everything above stays as it was.
  for (const a of f.appointments) Object.assign(a, labelled());
}

/**
 * SPEC §3b shapes with their own random stream: allergies in every status (some with their status
 * moves), handover notes, scheduled and prn orders (active and stopped, windows that have not started,
 * are open, or end within the hour), doses in every status with witnesses, SpO2 scales, vital-sign sets.
 */
function addNursing(f: World, r: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const staffOf = (org: unknown): Row[] => f.users.filter((u) => u.org === org && !u.patient);
  const patientOrg = new Map(f.patients.map((p) => [p.id, p.org]));
  for (const p of f.patients) {
    if (chance(0.3)) p.spo2_scale = 2;
    if (chance(0.3)) p.no_known_allergies = chance(0.8);
  }
  for (const o of f.observations) if (chance(0.4)) o.set_id = `set-${String(o.patient)}-${Math.floor(r() * 3)}`;
  f.allergies = [];
  f.allergy_status_changes = [];
  f.handover_notes = [];
  f.medication_orders = [];
  f.medication_administrations = [];
  // Few of each (every shape matters, not the number): the differential test checks every row. The
  // patients of break-glass grants always get some (break-glass over a consent restriction must show).
  const glass = new Set(f.break_glass.map((g) => g.patient));
  f.patients.forEach((p, i) => {
    if (!chance(0.45) && !glass.has(p.id)) return;
    const staff = staffOf(p.org);
    const status = pick(ALLERGY_STATUSES);
    const id = `${String(p.id)}-alg${i}`;
    f.allergies!.push({
      id,
      patient: p.id,
      substance: pick(['Penicillin', 'Latex', 'Peanuts', 'Codeine']),
      ...(chance(0.6) ? { reaction: 'Rash' } : {}),
      severity: pick(ALLERGY_SEVERITIES),
      status,
      recorded_by: pick(staff).id,
      recorded_at: hours(-48),
    });
    if (status !== 'active')
      f.allergy_status_changes!.push({
        id: `${id}-c1`,
        allergy: id,
        previous_status: 'active',
        status,
        changed_by: pick(staff).id,
        changed_at: hours(-5),
        reason: 'Reviewed with the patient',
      });
    if (chance(0.5) || glass.has(p.id))
      f.handover_notes!.push({
        id: `${String(p.id)}-ho${i}`,
        patient: p.id,
        author: pick(staff).id,
        written_at: hours(-3),
        situation: 's',
        background: 'b',
        assessment: 'a',
        recommendation: 'r',
      });
  });
  let n = 0;
  for (const p of f.patients) {
    for (let k = 0; k < 2; k++) {
      if (!chance(k === 0 ? 0.45 : 0.2) && !(k === 0 && glass.has(p.id))) continue;
      const prn = chance(0.4);
      const start = pick([-30, -2, 0.5]);
      const end = pick([null, null, 0.5, 30]);
      f.medication_orders!.push({
        id: `${String(p.id)}-mo${++n}`,
        patient: p.id,
        medication: pick(['Paracetamol', 'Morphine sulfate', 'Enoxaparin']),
        product_code: `0501${n}`,
        dose: pick([1, 5, 40]),
        unit: 'mg',
        route: pick(MEDICATION_ROUTES),
        ...(prn ? { prn: true, min_interval_hours: 4 } : { times: ['08:00', '20:00'] }),
        controlled: chance(0.3),
        starts_at: hours(start),
        ...(end !== null && end > start ? { ends_at: hours(end) } : {}),
        prescriber: pick(staffOf(p.org)).id,
        status: chance(0.75) ? 'active' : 'stopped',
      });
    }
  }
  for (const o of f.medication_orders!) {
    const staff = staffOf(patientOrg.get(o.patient));
    for (let k = 0; k < 2; k++) {
      if (!chance(k === 0 ? 0.6 : 0.25)) continue;
      const status = pick(ADMINISTRATION_STATUSES);
      const by = pick(staff).id;
      const witness = chance(0.3) ? pick(staff.filter((u) => u.id !== by)).id : null;
      f.medication_administrations!.push({
        id: `${String(o.id)}-ma${k}`,
        order: o.id,
        status,
        ...(o.prn ? {} : { scheduled_for: hours(-2) }),
        at: hours(-2 + k),
        dose: o.dose,
        by,
        ...(witness ? { witness } : {}),
        ...(status === 'given' ? {} : { reason: 'Patient asleep' }),
        patient_scanned: chance(0.8),
        product_scanned: chance(0.8),
        possible_double_dose: k === 1 && chance(0.3),
      });
    }
  }
}
