/**
 * The demo hospital: two facilities, six wards, about 120 admitted patients plus outpatients, staff for
 * every role (with shift-limited nurses), care teams, today's appointments, records, observations (vital
 * signs in sets) and alerts, SPEC §3b's allergies, handover notes, orders and doses (wardNursing.ts), and
 * a second small organization to show tenant isolation. Deterministic for a given `now`.
 */
import type { FixtureInput } from '../store/fixture/schema';
import { FIRST_NAMES, LAST_NAMES } from './names';
import { seeded } from './random';
import { wardNursingDemo } from './wardNursing';

export const DEMO_PASSWORD = 'clinic-demo';
export const DEMO_PIN = '2468';
export const ROOT_PASSWORD = 'root-demo-password';

/** The accounts the README lists for trying each role. */
export const DEMO_LOGINS = [
  { username: 'root', role: 'global admin (create organizations, view as any user)' },
  { username: 'ada', role: "organization admin, St. Mary's" },
  { username: 'nina', role: 'nurse, Cardiology (badge 04A1B2C3, PIN 2468)' },
  { username: 'smith', role: 'physician, Cardiology; member of the Cardiology care team' },
  { username: 'brown', role: 'physician, Neurology; examining a cardiology patient today' },
  { username: 'rita', role: 'registration clerk, Main Campus' },
  { username: 'taylor', role: 'lab technician (lab results), Main Campus' },
  { username: 'otto', role: "auditor, St. Mary's" },
  {
    username: 'vera',
    role: 'nurse, Cardiology, cleared for restricted patients and HIV: sees Victor Famous (restricted) and HIV-labelled items',
  },
  {
    username: 'day.card',
    role: 'day-shift nurse, Cardiology; a patient (Noah Hoffmann) keeps her from his chart: break-glass only',
  },
  { username: 'alice', role: 'a patient (sees her own chart)' },
  { username: 'sam', role: 'nurse at Sunrise Clinic (another organization)' },
] as const;

const WARDS = [
  { id: 'ward-card', facility: 'fac-main', name: 'Cardiology', specialty: 'cardiology' },
  { id: 'ward-surg', facility: 'fac-main', name: 'General Surgery', specialty: 'surgery' },
  { id: 'ward-med', facility: 'fac-main', name: 'Internal Medicine', specialty: 'internal_medicine' },
  { id: 'ward-neuro', facility: 'fac-main', name: 'Neurology', specialty: 'neurology' },
  { id: 'ward-ortho', facility: 'fac-east', name: 'Orthopedics', specialty: 'orthopedics' },
  { id: 'ward-peds', facility: 'fac-east', name: 'Pediatrics', specialty: 'pediatrics' },
] as const;

type Entry = Record<string, unknown>;

export function demoHospital(nowIso: string): FixtureInput {
  const now = Date.parse(nowIso);
  const r = seeded(20261123);
  const at = (minutes: number): string => new Date(now + minutes * 60_000).toISOString();
  const dayStart = new Date(now);
  dayStart.setUTCHours(0, 0, 0, 0);
  const today = (h: number, m = 0): string => new Date(dayStart.getTime() + (h * 60 + m) * 60_000).toISOString();
  const usedNames = new Set<string>();
  const person = (): string => {
    for (;;) {
      const n = `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
      if (!usedNames.has(n)) {
        usedNames.add(n);
        return n;
      }
    }
  };

  const users: Entry[] = [{ id: 'root', org: '_root', name: 'Root', username: 'root', password: ROOT_PASSWORD }];
  const roles: Entry[] = [];
  const staff = (id: string, name: string, username: string, extra: Entry = {}): string => {
    users.push({ id, org: 'org-stm', name, username, password: DEMO_PASSWORD, ...extra });
    return id;
  };
  const role = (user: string, roleName: string, scope: string, extra: Entry = {}): void => {
    roles.push({ user, role: roleName, scope, ...extra });
  };

  const rooms: Entry[] = [];
  for (const w of WARDS)
    for (let i = 1; i <= 10; i++)
      rooms.push({ id: `r-${w.id.slice(5)}-${i}`, ward: w.id, name: `${w.name.slice(0, 4).toUpperCase()} ${100 + i}` });

  // Staff.
  staff('u-ada', 'Ada Admin', 'ada');
  role('u-ada', 'admin', 'Organization:org-stm');
  staff('u-east-admin', person(), 'east.admin');
  role('u-east-admin', 'admin', 'Facility:fac-east');
  staff('u-otto', 'Otto Auditor', 'otto');
  role('u-otto', 'auditor', 'Organization:org-stm');
  staff('u-rita', 'Rita Registration', 'rita');
  role('u-rita', 'registration_clerk', 'Facility:fac-main');
  staff('u-clerk-east', person(), 'clerk.east');
  role('u-clerk-east', 'registration_clerk', 'Facility:fac-east');
  staff('u-taylor', 'Mrs. Taylor', 'taylor');
  role('u-taylor', 'lab_technician', 'Facility:fac-main', { categories: ['lab'] });
  staff('u-imaging', person(), 'imaging');
  role('u-imaging', 'lab_technician', 'Organization:org-stm', { categories: ['imaging'] });

  const physicians = new Map<string, string[]>();
  const nurses: string[] = [];
  for (const w of WARDS) {
    const docs: string[] = [];
    for (let i = 1; i <= 2; i++) {
      const special =
        w.id === 'ward-card' && i === 1
          ? { id: 'u-smith', name: 'Dr. Smith', username: 'smith' }
          : w.id === 'ward-neuro' && i === 1
            ? { id: 'u-brown', name: 'Dr. Brown', username: 'brown' }
            : null;
      // With the given name: three doctors on different wards may share a family name (issue 18).
      const name = special?.name ?? `Dr. ${person()}`;
      const id = staff(special?.id ?? `u-doc-${w.id.slice(5)}-${i}`, name, special?.username ?? `dr.${w.id.slice(5)}${i}`);
      role(id, 'physician', `Ward:${w.id}`);
      docs.push(id);
    }
    physicians.set(w.id, docs);
    // Three nurses per ward: one permanent, a day shift and a night shift (validity windows).
    const permanent =
      w.id === 'ward-card'
        ? staff('u-nina', 'Nina Nurse', 'nina', { badge: '04A1B2C3', pin: DEMO_PIN })
        : staff(`u-nurse-${w.id.slice(5)}`, person(), `nurse.${w.id.slice(5)}`, {
            badge: `B${w.id.slice(5).toUpperCase().padEnd(7, '0')}`,
            pin: DEMO_PIN,
          });
    role(permanent, 'nurse', `Ward:${w.id}`);
    const day = staff(`u-day-${w.id.slice(5)}`, person(), `day.${w.id.slice(5)}`);
    role(day, 'nurse', `Ward:${w.id}`, { valid_from: today(7), valid_until: today(19) });
    const night = staff(`u-night-${w.id.slice(5)}`, person(), `night.${w.id.slice(5)}`);
    role(night, 'nurse', `Ward:${w.id}`, { valid_from: today(19), valid_until: today(31) });
    nurses.push(permanent, day, night);
  }
  const floatNurses = [staff('u-float-1', person(), 'float1'), staff('u-float-2', person(), 'float2')];

  // Patients: ~2 per room, plus outpatients without a room.
  const patients: Entry[] = [];
  const admitted: Array<{ id: string; ward: (typeof WARDS)[number] }> = [];
  let n = 0;
  for (const room of rooms) {
    const ward = WARDS.find((w) => w.id === room.ward)!;
    for (let b = 0; b < 2; b++) {
      n++;
      const id = n === 1 ? 'p-alice' : `p-${String(n).padStart(4, '0')}`;
      const name = n === 1 ? 'Alice Patient' : person();
      const status = r.chance(0.08) ? 'discharged' : 'admitted';
      patients.push({
        id,
        org: 'org-stm',
        mrn: `STM-${String(100000 + n)}`,
        name,
        birth_date: `${r.int(1930, 2015)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`,
        room: room.id,
        status,
      });
      admitted.push({ id, ward });
    }
  }
  const outpatients: string[] = [];
  for (let i = 1; i <= 15; i++) {
    n++;
    const id = `p-${String(n).padStart(4, '0')}`;
    outpatients.push(id);
    patients.push({
      id,
      org: 'org-stm',
      mrn: `STM-${String(100000 + n)}`,
      name: person(),
      birth_date: `${r.int(1940, 2010)}-0${r.int(1, 9)}-1${r.int(0, 9)}`,
      status: 'outpatient',
    });
  }
  users.push({
    id: 'u-alice',
    org: 'org-stm',
    name: 'Alice Patient',
    username: 'alice',
    patient: 'p-alice',
    password: DEMO_PASSWORD,
  });

  // Care teams: specialty teams listing some of their ward's patients, and a float-pool group.
  const groups: Entry[] = [
    { id: 'g-float', org: 'org-stm', name: 'Float Pool Nurses', members: floatNurses },
    { id: 'g-cardio-docs', org: 'org-stm', name: 'Cardiology Consultants', members: ['u-smith', physicians.get('ward-med')![0]] },
  ];
  // The float pool works the day shift anywhere on the main campus.
  roles.push({ group: 'g-float', role: 'nurse', scope: 'Facility:fac-main', valid_from: today(7), valid_until: today(19) });
  const careTeams: Entry[] = WARDS.slice(0, 4).map((w) => ({
    id: `ct-${w.id.slice(5)}`,
    org: 'org-stm',
    name: `${w.name} Team`,
    specialties: [w.specialty],
    patients: admitted
      .filter((p) => p.ward.id === w.id)
      .filter(() => r.chance(0.5))
      .map((p) => p.id),
    members:
      w.id === 'ward-card'
        ? [
            { group: 'g-cardio-docs', role: 'lead' },
            { user: 'u-smith', role: 'member' },
          ]
        : physicians.get(w.id)!.map((u, i) => ({ user: u, role: i === 0 ? 'lead' : 'member' })),
  }));
  (careTeams[0]!.patients as string[]).unshift('p-alice');

  // Appointments: today's list for every physician, some history, and Dr. Brown examining Alice.
  const appointments: Entry[] = [];
  const records: Entry[] = [];
  const observations: Entry[] = [];
  const reasons = [
    'Ward round review',
    'Post-op check',
    'Medication review',
    'Follow-up',
    'Admission assessment',
    'Pre-discharge review',
  ];
  let ap = 0;
  let rec = 0;
  const addAppointment = (
    patient: string,
    clinician: string,
    when: string,
    status: string,
    reason: string,
    category: string,
  ): string => {
    const id = `ap-${++ap}`;
    appointments.push({ id, patient, clinician, scheduled_at: when, reason, status });
    if (status === 'completed' || status === 'in_progress') {
      records.push({
        id: `rec-${++rec}`,
        appointment: id,
        category,
        author: clinician,
        public_notes: r.pick([
          'Stable, observations within range.',
          'Wound healing well.',
          'Pain controlled; mobilising with help.',
          'Plan discussed with patient and family.',
        ]),
        internal_notes: r.pick([
          'Consider stepping down monitoring tomorrow.',
          'Family history relevant; discuss at MDT.',
          'Watch renal function.',
          'Patient anxious about discharge.',
        ]),
        created_at: status === 'completed' ? new Date(Date.parse(when) + 30 * 60_000).toISOString() : at(-5),
      });
    }
    return id;
  };
  addAppointment('p-alice', 'u-brown', at(-25), 'in_progress', 'Chest pain exam', 'cardiology');
  for (const w of WARDS) {
    const wardPatients = admitted.filter((p) => p.ward.id === w.id);
    for (const [i, doc] of physicians.get(w.id)!.entries()) {
      for (let k = 0; k < 5; k++) {
        const p = wardPatients[(i * 5 + k) % wardPatients.length]!.id;
        const slot = today(8 + k * 2, i * 30);
        const status =
          Date.parse(slot) + 30 * 60_000 < now
            ? 'completed'
            : Date.parse(slot) <= now
              ? 'in_progress'
              : r.chance(0.1)
                ? 'canceled'
                : 'scheduled';
        addAppointment(p, doc, slot, status, r.pick(reasons), w.specialty);
      }
      addAppointment(wardPatients[i]!.id, doc, at(-60 * 24 * 2 - i * 60), 'completed', 'Admission assessment', w.specialty);
    }
  }
  for (const [i, p] of outpatients.entries()) {
    const doc = physicians.get(WARDS[i % 4]!.id)![0]!;
    addAppointment(
      p,
      doc,
      i % 3 === 0 ? today(14, i * 5) : at(60 * 24 * ((i % 5) + 1)),
      'scheduled',
      'Outpatient consultation',
      WARDS[i % 4]!.specialty,
    );
  }

  // Vitals every 6 hours over the last two days for admitted patients; labs for some.
  let ob = 0;
  const vital = (patient: string, code: string, value: string, unit: string, when: string, by: string): void => {
    observations.push({ id: `obs-${++ob}`, patient, category: 'vitals', code, value, unit, recorded_by: by, recorded_at: when });
  };
  for (const p of admitted) {
    const nurse = p.ward.id === 'ward-card' ? 'u-nina' : `u-nurse-${p.ward.id.slice(5)}`;
    for (let h = 48; h >= 0; h -= 6) {
      const when = at(-h * 60 - r.int(0, 50));
      const first = observations.length;
      vital(p.id, 'heart_rate', String(r.int(58, 110)), '/min', when, nurse);
      vital(p.id, 'blood_pressure_systolic', String(r.int(100, 165)), 'mm[Hg]', when, nurse);
      vital(p.id, 'temperature', (36 + r.next() * 2.4).toFixed(1), 'Cel', when, nurse);
      vital(p.id, 'oxygen_saturation', String(r.int(89, 100)), '%', when, nurse);
      // SPEC §3b: the vital signs taken together are one set.
      for (const o of observations.slice(first)) o.set_id = `vs-${p.id}-${48 - h}h`;
    }
    if (p.ward.facility === 'fac-main' && r.chance(0.4)) {
      // Each test in its own unit and a plausible value (the draws are the same as ever, so the rest of the demo is unchanged).
      const code = r.pick(['crp', 'hemoglobin', 'creatinine', 'troponin_t'] as const);
      const raw = r.int(3, 160);
      r.pick(['mg/L', 'g/dL', 'umol/L', 'ng/L']);
      const lab = {
        crp: ['mg/L', String(raw)],
        hemoglobin: ['g/dL', (8 + (raw % 90) / 10).toFixed(1)],
        creatinine: ['umol/L', String(40 + raw * 2)],
        troponin_t: ['ng/L', String(raw)],
      }[code];
      observations.push({
        id: `obs-${++ob}`,
        patient: p.id,
        category: 'lab',
        code,
        value: lab[1],
        unit: lab[0],
        recorded_by: 'u-taylor',
        recorded_at: at(-r.int(60, 1800)),
      });
    }
  }
  observations.push({
    id: `obs-${++ob}`,
    patient: 'p-alice',
    appointment: 'ap-1',
    category: 'lab',
    code: 'troponin_t',
    value: '48',
    unit: 'ng/L',
    recorded_by: 'u-taylor',
    recorded_at: at(-10),
  });

  const alertKinds = [
    { kind: 'fall_risk', severity: 'high', message: 'High fall risk: assist when mobilising' },
    { kind: 'medication_due', severity: 'medium', message: 'IV antibiotics due' },
    { kind: 'vitals_due', severity: 'low', message: 'Four-hourly observations due' },
    { kind: 'sepsis_screen', severity: 'critical', message: 'Sepsis screen positive: escalate to physician' },
    { kind: 'allergy', severity: 'high', message: 'Penicillin allergy' },
  ];
  const alerts: Entry[] = [];
  // Allergies are not alerts (SPEC §7b): a drawn allergy becomes an Allergy with the id the server's
  // migration gives an old allergy alert (`alg-` and the alert's id), and the alert numbering stays.
  const allergyAlerts: Entry[] = [];
  const sensitive = sensitiveData(at);
  let alertNo = 0;
  for (const [i, p] of admitted.entries()) {
    if (i % 4 !== 0 && p.id !== 'p-alice') continue;
    const a = p.id === 'p-alice' ? alertKinds[0]! : r.pick(alertKinds);
    const alert = {
      id: `al-${++alertNo}`,
      patient: p.id,
      ...a,
      due_at: at(r.int(-60, 240)),
      status: r.chance(0.2) ? 'acknowledged' : 'open',
    };
    if (a.kind !== 'allergy') alerts.push(alert);
    else
      allergyAlerts.push({
        id: `alg-${alert.id}`,
        patient: p.id,
        substance: 'Penicillin',
        reaction: 'Rash',
        severity: 'severe',
        status: 'active',
        recorded_by: p.ward.id === 'ward-card' ? 'u-nina' : `u-nurse-${p.ward.id.slice(5)}`,
        recorded_at: at(-3 * 24 * 60),
      });
  }
  const nursing = wardNursingDemo(
    { at, today },
    allergyAlerts.map((x) => x.patient as string),
  );

  return {
    now: new Date(now).toISOString(),
    organizations: [
      { id: '_root', name: 'Root' },
      { id: 'org-stm', name: "St. Mary's Hospital" },
      { id: 'org-sun', name: 'Sunrise Clinic' },
    ],
    facilities: [
      { id: 'fac-main', org: 'org-stm', name: 'Main Campus' },
      { id: 'fac-east', org: 'org-stm', name: 'East Pavilion' },
      { id: 'fac-sun', org: 'org-sun', name: 'Sunrise' },
    ],
    wards: [
      ...WARDS.map((w) => ({ id: w.id, facility: w.facility, name: w.name })),
      { id: 'ward-sun', facility: 'fac-sun', name: 'General' },
    ],
    rooms: [...rooms, { id: 'r-sun-1', ward: 'ward-sun', name: 'S1' }],
    users: [
      ...users,
      ...sensitive.users,
      { id: 'u-sam', org: 'org-sun', name: 'Sam Sunrise', username: 'sam', password: DEMO_PASSWORD },
    ],
    groups,
    role_assignments: [...roles, ...sensitive.roles, { user: 'u-sam', role: 'nurse', scope: 'Organization:org-sun' }],
    care_teams: careTeams,
    patients: [
      // Outpatients are registered at a facility: its staff (e.g. Rita at Main Campus) look after them.
      ...patients.map((p) => ({
        ...(outpatients.includes(p.id as string)
          ? { ...p, facility: outpatients.indexOf(p.id as string) % 3 === 2 ? 'fac-east' : 'fac-main' }
          : p),
        ...nursing.patients.get(p.id as string),
      })),
      ...sensitive.patients,
      {
        id: 'p-sun-1',
        org: 'org-sun',
        mrn: 'SUN-0001',
        name: 'Sunny Case',
        birth_date: '1999-01-01',
        room: 'r-sun-1',
        status: 'admitted',
      },
    ],
    appointments: [...appointments, ...sensitive.appointments],
    records: [...records, ...sensitive.records],
    observations: [...observations, ...sensitive.observations],
    alerts: [...alerts, ...sensitive.alerts],
    break_glass: [],
    consent_restrictions: sensitive.consent,
    allergies: [...allergyAlerts, ...nursing.allergies],
    allergy_status_changes: nursing.allergy_status_changes,
    handover_notes: nursing.handover_notes,
    medication_orders: nursing.medication_orders,
    medication_administrations: nursing.medication_administrations,
  } as unknown as FixtureInput;
}

/**
 * SPEC §3a in the demo (no random draws, so the rest of the hospital stays as it was): a restricted
 * VIP in Cardiology, HIV- and psychiatry-labelled items, a nurse cleared for both, and a patient who
 * keeps a day-shift nurse from his chart.
 */
function sensitiveData(at: (minutes: number) => string) {
  return {
    users: [{ id: 'u-vera', org: 'org-stm', name: 'Vera Lind', username: 'vera', password: DEMO_PASSWORD }],
    roles: [{ user: 'u-vera', role: 'nurse', scope: 'Ward:ward-card', clearances: ['restricted', 'hiv'] }],
    patients: [
      {
        id: 'p-vip',
        org: 'org-stm',
        mrn: 'STM-190001',
        name: 'Victor Famous',
        birth_date: '1966-05-05',
        room: 'r-card-3',
        status: 'admitted',
        restricted: true,
      },
    ],
    appointments: [
      {
        id: 'ap-hiv',
        patient: 'p-0004',
        clinician: 'u-smith',
        scheduled_at: at(-60 * 26),
        reason: 'HIV clinic review',
        status: 'completed',
        // SPEC §3a: the reason reaches only users cleared for HIV on the patient (and Dr. Smith).
        sensitivity: 'hiv',
      },
      {
        id: 'ap-vip',
        patient: 'p-vip',
        clinician: 'u-smith',
        scheduled_at: at(60 * 24 + 120),
        reason: 'Private review',
        status: 'scheduled',
      },
    ],
    records: [
      {
        id: 'rec-hiv-1',
        appointment: 'ap-hiv',
        category: 'cardiology',
        author: 'u-smith',
        sensitivity: 'hiv',
        created_at: at(-60 * 25),
        public_notes: 'Antiretroviral therapy continued; no interaction with the new statin.',
        internal_notes: 'Viral load undetectable; adherence good.',
      },
      {
        id: 'rec-psy-1',
        appointment: 'ap-hiv',
        category: 'cardiology',
        author: 'u-smith',
        sensitivity: 'psychiatry',
        created_at: at(-60 * 25 + 5),
        public_notes: 'Low mood discussed; referred to liaison psychiatry.',
        internal_notes: 'PHQ-9 score 14.',
      },
    ],
    observations: [
      {
        id: 'obs-hiv-1',
        patient: 'p-0004',
        category: 'lab',
        code: 'hiv1_viral_load',
        value: '<40',
        unit: 'copies/mL',
        recorded_by: 'u-taylor',
        recorded_at: at(-60 * 27),
        sensitivity: 'hiv',
      },
      {
        id: 'obs-vip-1',
        patient: 'p-vip',
        category: 'vitals',
        code: 'heart_rate',
        value: '74',
        unit: '/min',
        recorded_by: 'u-vera',
        recorded_at: at(-90),
      },
    ],
    alerts: [
      {
        id: 'al-vip',
        patient: 'p-vip',
        kind: 'medication_due',
        severity: 'medium',
        message: 'IV antibiotics due',
        due_at: at(45),
        status: 'open',
      },
    ],
    consent: [
      {
        id: 'cr-demo-1',
        patient: 'p-0006',
        user: 'u-day-card',
        reason: 'A neighbour; the patient asked at admission that she not see his chart',
        recorded_by: 'u-rita',
        recorded_at: at(-60 * 30),
      },
    ],
  };
}
