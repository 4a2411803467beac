/**
 * The synthetic hospital: deterministic from a seed, with the shapes that matter for authorization
 * cost — inpatients in rooms under ward-scoped nurses (a third of them on day or night shifts),
 * outpatients without rooms, physicians with appointments across the hospital, specialty care teams,
 * lab technicians with categories, org-scoped admins and auditors, amended records, vitals-heavy
 * inpatients. SPEC §3a: 10 % of records and observations carry a sensitivity label, 1 % of patients
 * are restricted, some assignments hold clearances and some care teams a label specialty, outpatients
 * are registered at a facility, and a few hundred consent restrictions name staff (a third of them
 * ward nurses on their own ward's patients). Written directly with prepared statements (the tables
 * of migrations/shared), then ANALYZEd for the query planner.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { seeded } from '../../src/demo/random';
import { BENCH_NOW, ORG, type Size } from './sizes';

const SPECIALTIES = [
  'cardiology',
  'surgery',
  'internal_medicine',
  'neurology',
  'orthopedics',
  'pediatrics',
  'oncology',
  'geriatrics',
];
const VITALS = [
  ['heart_rate', '/min', 55, 120],
  ['blood_pressure_systolic', 'mm[Hg]', 95, 170],
  ['temperature', 'Cel', 36, 39],
  ['oxygen_saturation', '%', 88, 100],
] as const;
const LABS = [
  ['crp', 'mg/L'],
  ['hemoglobin', 'g/dL'],
  ['creatinine', 'umol/L'],
  ['troponin_t', 'ng/L'],
  ['potassium', 'mmol/L'],
] as const;
const LABELS = ['psychiatry', 'hiv', 'substance_use', 'sexual_health', 'genetic'] as const;

export interface World {
  wardNurses: string[];
  wards: string[];
  careTeamPhysicians: string[];
  examiningPhysicians: Array<{ user: string; patient: string }>;
  inpatients: string[];
  auditor: string;
  admin: string;
  allPatients: number;
}

export function generate(raw: Database.Database, size: Size): World {
  const r = seeded(20_261_123 + size.patients);
  const now = Date.parse(BENCH_NOW);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const day = 86_400_000;
  const dayStart = Date.parse('2026-11-23T00:00:00.000Z');
  const ins = (table: string, cols: string[]) =>
    raw.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  const world: World = {
    wardNurses: [],
    wards: [],
    careTeamPhysicians: [],
    examiningPhysicians: [],
    inpatients: [],
    auditor: '',
    admin: '',
    allPatients: size.patients,
  };

  raw.transaction(() => {
    ins('organizations', ['id', 'name']).run('_root', 'Root');
    ins('organizations', ['id', 'name']).run(ORG, 'Benchmark General Hospital');
    ins('users', ['id', 'org_id', 'name', 'username', 'badge', 'patient_id']).run('root', '_root', 'Root', 'root', null, null);
  })();

  const user = ins('users', ['id', 'org_id', 'name', 'username', 'badge', 'patient_id']);
  const role = ins('role_assignments', [
    'id',
    'user_id',
    'group_id',
    'role',
    'scope_type',
    'scope_id',
    'org_id',
    'categories',
    'valid_from',
    'valid_until',
    'clearances',
  ]);
  let ra = 0;
  const assign = (
    userId: string | null,
    groupId: string | null,
    roleName: string,
    scope: string,
    categories: string[] = [],
    from: string | null = null,
    until: string | null = null,
    clearances: string[] = [],
  ): void => {
    const [st, sid] = scope.split(':');
    role.run(
      `ra-${++ra}`,
      userId,
      groupId,
      roleName,
      st,
      sid,
      ORG,
      JSON.stringify(categories),
      from,
      until,
      JSON.stringify(clearances),
    );
  };
  // SPEC §3a: one assignment in ten cleared for a label, one in twenty for restricted patients.
  let clearanceNo = 0;
  const someClearances = (): string[] => {
    const k = ++clearanceNo;
    return [...(k % 20 === 0 ? ['restricted'] : []), ...(k % 10 === 3 ? [LABELS[k % LABELS.length]!] : [])];
  };

  // Locations and staff.
  const wardPhysicians = new Map<string, string[]>();
  const wardRooms = new Map<string, string[]>();
  const wardSpecialty = new Map<string, string>();
  raw.transaction(() => {
    const fac = ins('facilities', ['id', 'org_id', 'name']);
    const ward = ins('wards', ['id', 'facility_id', 'name']);
    const room = ins('rooms', ['id', 'ward_id', 'name']);
    const perWardStaff = Math.max(2, Math.floor((size.staff * 0.8) / size.wards));
    const nursesPerWard = Math.max(1, Math.round(perWardStaff * 0.66));
    const physiciansPerWard = Math.max(1, perWardStaff - nursesPerWard);
    let staffNo = 0;
    const staff = (prefix: string): string => {
      const id = `${prefix}-${++staffNo}`;
      user.run(id, ORG, `Staff ${staffNo}`, id, null, null);
      return id;
    };
    for (let f = 1; f <= size.facilities; f++) {
      const fid = `fac-${f}`;
      fac.run(fid, ORG, `Facility ${f}`);
      for (let w = 1; w <= size.wards / size.facilities; w++) {
        const wid = `ward-${f}-${w}`;
        world.wards.push(wid);
        wardSpecialty.set(wid, SPECIALTIES[(f * 7 + w) % SPECIALTIES.length]!);
        ward.run(wid, fid, `Ward ${f}.${w}`);
        const rooms: string[] = [];
        for (let k = 1; k <= size.roomsPerWard; k++) {
          const rid = `room-${f}-${w}-${k}`;
          room.run(rid, wid, `${f}${String(w).padStart(2, '0')}${String(k).padStart(2, '0')}`);
          rooms.push(rid);
        }
        wardRooms.set(wid, rooms);
        for (let n = 0; n < nursesPerWard; n++) {
          const id = staff('nurse');
          const shift = n % 3;
          if (shift === 0) {
            assign(id, null, 'nurse', `Ward:${wid}`, [], null, null, someClearances());
            world.wardNurses.push(id);
          } else if (shift === 1)
            assign(id, null, 'nurse', `Ward:${wid}`, [], iso(dayStart + 7 * 3_600_000), iso(dayStart + 19 * 3_600_000));
          else assign(id, null, 'nurse', `Ward:${wid}`, [], iso(dayStart + 19 * 3_600_000), iso(dayStart + 31 * 3_600_000));
        }
        const docs: string[] = [];
        for (let p = 0; p < physiciansPerWard; p++) {
          const id = staff('phys');
          assign(id, null, 'physician', `Ward:${wid}`, [], null, null, someClearances());
          docs.push(id);
        }
        wardPhysicians.set(wid, docs);
      }
      const rest = Math.max(4, Math.floor((size.staff * 0.2) / size.facilities));
      for (let k = 0; k < rest; k++) {
        const kind = k % 4;
        const id = staff(['clerk', 'lab', 'lab', 'admin'][kind]!);
        if (kind === 0) assign(id, null, 'registration_clerk', `Facility:${fid}`, [], null, null, someClearances());
        else if (kind === 1) assign(id, null, 'lab_technician', `Facility:${fid}`, ['lab']);
        else if (kind === 2) assign(id, null, 'lab_technician', `Facility:${fid}`, ['imaging']);
        else assign(id, null, 'admin', `Facility:${fid}`);
      }
      // A float pool per facility: a group holding a facility-wide nurse role for the day shift.
      const gid = `float-${f}`;
      raw.prepare('INSERT INTO groups (id, org_id, name) VALUES (?, ?, ?)').run(gid, ORG, `Float pool ${f}`);
      for (let k = 0; k < Math.max(2, Math.round(size.staff / 200)); k++)
        raw.prepare('INSERT INTO group_members (group_id, user_id) VALUES (?, ?)').run(gid, staff('float'));
      assign(null, gid, 'nurse', `Facility:${fid}`, [], iso(dayStart + 7 * 3_600_000), iso(dayStart + 19 * 3_600_000));
    }
    world.admin = staff('orgadmin');
    assign(world.admin, null, 'admin', `Organization:${ORG}`);
    world.auditor = staff('auditor');
    assign(world.auditor, null, 'auditor', `Organization:${ORG}`);
  })();

  // Patients: two per room admitted, the rest outpatients (a few discharged).
  const inpatientWard = new Map<string, string>();
  raw.transaction(() => {
    const pat = ins('patients', ['id', 'org_id', 'mrn', 'name', 'birth_date', 'room_id', 'status', 'restricted', 'facility_id']);
    // 1 % of patients are restricted (confidentiality R); outpatients are registered at a facility.
    const restricted = (n: number): number => (n % 100 === 57 ? 1 : 0);
    let n = 0;
    for (const wid of world.wards) {
      for (const rid of wardRooms.get(wid)!) {
        for (let b = 0; b < 2 && n < size.patients; b++) {
          const id = `pat-${++n}`;
          pat.run(
            id,
            ORG,
            `MRN-${n}`,
            `Patient ${n}`,
            `${1930 + (n % 90)}-0${1 + (n % 9)}-1${n % 10}`,
            rid,
            r.chance(0.05) ? 'discharged' : 'admitted',
            restricted(n),
            null,
          );
          world.inpatients.push(id);
          inpatientWard.set(id, wid);
        }
      }
    }
    while (n < size.patients) {
      const id = `pat-${++n}`;
      pat.run(
        id,
        ORG,
        `MRN-${n}`,
        `Patient ${n}`,
        `${1930 + (n % 90)}-0${1 + (n % 9)}-1${n % 10}`,
        null,
        r.chance(0.1) ? 'final_discharged' : 'outpatient',
        restricted(n),
        n % 2 === 0 ? `fac-${1 + (n % size.facilities)}` : null,
      );
    }
  })();

  // Care teams: two per ward, with the ward's physicians, its inpatients and a share of outpatients.
  raw.transaction(() => {
    const team = ins('care_teams', ['id', 'org_id', 'name']);
    const spec = ins('care_team_specialties', ['team_id', 'specialty']);
    const tp = ins('care_team_patients', ['team_id', 'patient_id']);
    const tm = ins('care_team_members', ['id', 'team_id', 'user_id', 'group_id', 'role']);
    const outpatientsPerTeam = Math.floor((size.patients - world.inpatients.length) / (world.wards.length * 2) / 4);
    let t = 0;
    for (const wid of world.wards) {
      for (let k = 0; k < 2; k++) {
        const tid = `team-${++t}`;
        team.run(tid, ORG, `Team ${t}`);
        spec.run(tid, wardSpecialty.get(wid)!);
        if (t % 4 === 0) spec.run(tid, LABELS[t % LABELS.length]!);
        const docs = wardPhysicians.get(wid)!;
        docs.forEach((d, i) => {
          if (i % 2 === k || docs.length === 1) {
            tm.run(`${tid}/${d}`, tid, d, null, i === 0 ? 'lead' : 'member');
            world.careTeamPhysicians.push(d);
          }
        });
        for (const p of world.inpatients) if (inpatientWard.get(p) === wid) tp.run(tid, p);
        for (let o = 0; o < outpatientsPerTeam; o++)
          tp.run(
            tid,
            `pat-${world.inpatients.length + 1 + ((t * outpatientsPerTeam + o) % (size.patients - world.inpatients.length))}`,
          );
      }
    }
  })();

  // Appointments, records (one per completed appointment, 5% amended), observations.
  const allPhysicians = [...wardPhysicians.values()].flat();
  const apptIns = ins('appointments', ['id', 'patient_id', 'clinician_id', 'scheduled_at', 'reason', 'status']);
  const recIns = ins('records', [
    'id',
    'appointment_id',
    'patient_id',
    'category',
    'author_id',
    'public_notes',
    'internal_notes',
    'created_at',
    'amends_id',
    'sensitivity',
  ]);
  const obsIns = ins('observations', [
    'id',
    'patient_id',
    'appointment_id',
    'category',
    'code',
    'value',
    'unit',
    'recorded_by',
    'recorded_at',
    'sensitivity',
  ]);
  // Issue 18: a set of vital signs every 4 hours per inpatient over the last 72 hours (the seven NEWS2
  // parameters and the diastolic pressure under one set_id), so the census's NEWS2 columns and the
  // chart's sets are measured on a ward's real load.
  const setIns = ins('observations', [
    'id',
    'patient_id',
    'appointment_id',
    'category',
    'code',
    'value',
    'unit',
    'recorded_by',
    'recorded_at',
    'sensitivity',
    'set_id',
  ]);
  const SET_HOURS = 72;
  let ap = 0;
  let rec = 0;
  let ob = 0;
  // 10 % of records and observations carry a label (by id, so amendments and vitals get their share).
  const label = (k: number): string | null => (k % 10 === 7 ? LABELS[Math.floor(k / 10) % LABELS.length]! : null);
  const obsPerInpatient = Math.floor((size.observations * 0.4) / Math.max(1, world.inpatients.length));
  const obsPerOutpatient = Math.max(
    1,
    Math.floor((size.observations * 0.6) / Math.max(1, size.patients - world.inpatients.length)),
  );
  const CHUNK = 2_000;
  for (let start = 1; start <= size.patients; start += CHUNK) {
    raw.transaction(() => {
      for (let n = start; n < Math.min(start + CHUNK, size.patients + 1); n++) {
        const pid = `pat-${n}`;
        const ward = inpatientWard.get(pid);
        const docs = ward ? wardPhysicians.get(ward)! : allPhysicians;
        const category = ward ? wardSpecialty.get(ward)! : SPECIALTIES[n % SPECIALTIES.length]!;
        for (let a = 0; a < size.appointmentsPerPatient; a++) {
          const id = `apt-${++ap}`;
          const clinician = docs[(n + a) % docs.length]!;
          const last = a === size.appointmentsPerPatient - 1;
          const when = last ? now + (r.int(-2, 30) * day) / 4 : now - r.int(1, 700) * day;
          const status = last ? (when < now ? 'in_progress' : 'scheduled') : r.chance(0.08) ? 'canceled' : 'completed';
          apptIns.run(id, pid, clinician, iso(when), 'Consultation', status);
          if (status === 'in_progress') world.examiningPhysicians.push({ user: clinician, patient: pid });
          if (status === 'completed') {
            const rid = `rec-${++rec}`;
            const original = label(rec);
            recIns.run(
              rid,
              id,
              pid,
              category,
              clinician,
              'Findings discussed with the patient.',
              'Differential diagnosis under review.',
              iso(when + 1_800_000),
              null,
              original,
            );
            // An amendment keeps its original's label (it may add one).
            if (r.chance(0.2)) {
              rec++;
              recIns.run(
                `rec-${rec}`,
                id,
                pid,
                category,
                clinician,
                'Findings discussed; plan updated.',
                'Revised after results.',
                iso(when + 7_200_000),
                rid,
                original ?? label(rec),
              );
            }
          }
        }
        if (ward) {
          for (let h = 4; h <= SET_HOURS; h += 4) {
            const setId = `set-${pid}-${h}`;
            const when = iso(now - h * 3_600_000 - r.int(0, 1_200_000));
            const values: Array<[string, string, string]> = [
              ['respiratory_rate', String(r.int(12, 26)), '/min'],
              ['oxygen_saturation', String(r.int(90, 99)), '%'],
              ['inspired_oxygen', r.chance(0.2) ? 'oxygen' : 'air', ''],
              ['blood_pressure_systolic', String(r.int(95, 160)), 'mm[Hg]'],
              ['blood_pressure_diastolic', String(r.int(55, 90)), 'mm[Hg]'],
              ['heart_rate', String(r.int(55, 120)), '/min'],
              ['consciousness', r.chance(0.05) ? 'C' : 'A', ''],
              ['temperature', (36 + r.int(0, 25) / 10).toFixed(1), 'Cel'],
            ];
            for (const [code, value, unit] of values)
              setIns.run(`${setId}.${code}`, pid, null, 'vitals', code, value, unit, docs[0]!, when, null, setId);
          }
        }
        const count = ward ? obsPerInpatient : obsPerOutpatient;
        const recorder = ward ? docs[0]! : allPhysicians[n % allPhysicians.length]!;
        for (let k = 0; k < count; k++) {
          const when = iso(now - (k + 1) * (ward ? 4 * 3_600_000 : 20 * day) - r.int(0, 3_000_000));
          if (k % 4 === 3) {
            const [code, unit] = LABS[k % LABS.length]!;
            ob++;
            obsIns.run(
              `obs-${ob}`,
              pid,
              null,
              r.chance(0.15) ? 'imaging' : 'lab',
              code,
              String(r.int(1, 150)),
              unit,
              recorder,
              when,
              label(ob),
            );
          } else {
            const [code, unit, lo, hi] = VITALS[k % VITALS.length]!;
            ob++;
            obsIns.run(`obs-${ob}`, pid, null, 'vitals', code, String(r.int(lo, hi)), unit, recorder, when, label(ob));
          }
        }
      }
    })();
  }

  // Alerts on one inpatient in ten; a few break-glass grants.
  raw.transaction(() => {
    const al = ins('alerts', [
      'id',
      'patient_id',
      'kind',
      'severity',
      'message',
      'due_at',
      'status',
      'acknowledged_by',
      'acknowledged_at',
    ]);
    world.inpatients.forEach((p, i) => {
      if (i % 10 === 0)
        al.run(
          `al-${i}`,
          p,
          'fall_risk',
          ['low', 'medium', 'high', 'critical'][i % 4],
          'Fall risk',
          iso(now + (i % 24) * 3_600_000),
          'open',
          null,
          null,
        );
    });
    const bg = ins('break_glass', ['id', 'user_id', 'patient_id', 'reason', 'started_at', 'expires_at']);
    for (let i = 0; i < Math.min(50, world.wardNurses.length); i++)
      bg.run(
        `bg-${i}`,
        world.wardNurses[i]!,
        `pat-${size.patients - i}`,
        'Emergency in corridor',
        iso(now - i * 3_600_000),
        iso(now - i * 3_600_000 + 3_600_000),
      );
    // Consent restrictions: a third name a ward nurse for a patient of their own ward, the rest anyone.
    const cr = ins('consent_restrictions', ['id', 'org_id', 'patient_id', 'user_id', 'reason', 'recorded_by', 'recorded_at']);
    const seen = new Set<string>();
    const staffIds = (
      raw.prepare('SELECT id FROM users WHERE org_id = ? AND id <> ? ORDER BY id').all(ORG, world.admin) as Array<{ id: string }>
    ).map((u) => u.id);
    const nurseWardOf = new Map(
      (
        raw
          .prepare(
            "SELECT user_id, scope_id FROM role_assignments WHERE role = 'nurse' AND scope_type = 'Ward' AND user_id IS NOT NULL",
          )
          .all() as Array<{ user_id: string; scope_id: string }>
      ).map((x) => [x.user_id, x.scope_id]),
    );
    const wardPatientsOf = new Map<string, string[]>();
    for (const p of world.inpatients)
      wardPatientsOf.set(inpatientWard.get(p)!, [...(wardPatientsOf.get(inpatientWard.get(p)!) ?? []), p]);
    const consentCount = Math.max(20, Math.round(size.patients / 160));
    for (let i = 0; seen.size < consentCount && i < consentCount * 4; i++) {
      let patient: string;
      let staffId: string;
      if (i % 3 === 0) {
        staffId = world.wardNurses[i % world.wardNurses.length]!;
        const pool = wardPatientsOf.get(nurseWardOf.get(staffId)!) ?? world.inpatients;
        patient = pool[(i * 13) % pool.length]!;
      } else {
        patient = `pat-${1 + ((i * 7919) % size.patients)}`;
        staffId = staffIds[(i * 104_729) % staffIds.length]!;
      }
      if (seen.has(`${patient}|${staffId}`)) continue;
      seen.add(`${patient}|${staffId}`);
      cr.run(`cr-${seen.size}`, ORG, patient, staffId, 'Patient asked at admission', world.admin, iso(now - i * 60_000));
    }
  })();
  raw.exec('ANALYZE');
  return world;
}
