/**
 * SPEC §3b in the demo hospital (no random draws, so the rest of the hospital stays as it was):
 * allergies in every severity and status (one entered in error, one inactive, each with its status
 * move), patients checked for "no known allergies" and many not recorded yet, the last night's
 * handover notes on Cardiology, scheduled and prn orders (one controlled, one stopped, one ended, one
 * not started) with doses given, held and refused, and a patient on SpO2 scale 2.
 */
type Entry = Record<string, unknown>;

export interface WardNursingDemo {
  allergies: Entry[];
  allergy_status_changes: Entry[];
  handover_notes: Entry[];
  medication_orders: Entry[];
  medication_administrations: Entry[];
  /** Patient fields: "no known allergies" (checked, none found) and the SpO2 scale. */
  patients: Map<string, Entry>;
}

interface Times {
  /** Minutes from now. */
  at: (minutes: number) => string;
  /** Hours (and minutes) from today's midnight, UTC (negative: yesterday). */
  today: (h: number, m?: number) => string;
}

/** Cardiology patients p-alice, p-0002 … p-0020; Surgery p-0021 …; the night nurse of each ward is u-night-<ward>. */
export function wardNursingDemo({ at, today }: Times, convertedAllergies: readonly string[]): WardNursingDemo {
  const allergy = (
    id: string,
    patient: string,
    substance: string,
    severity: string,
    reaction: string | null,
    recordedBy: string,
    daysAgo: number,
    status = 'active',
  ): Entry => ({
    id,
    patient,
    substance,
    ...(reaction ? { reaction } : {}),
    severity,
    status,
    recorded_by: recordedBy,
    recorded_at: at(-daysAgo * 24 * 60),
  });
  const allergies = [
    allergy('alg-alice-pen', 'p-alice', 'Penicillin', 'life_threatening', 'Anaphylaxis', 'u-nina', 3),
    allergy('alg-alice-latex', 'p-alice', 'Latex', 'mild', 'Contact dermatitis', 'u-nina', 3),
    allergy('alg-0002-codeine', 'p-0002', 'Codeine', 'moderate', 'Vomiting', 'u-nina', 20, 'inactive'),
    allergy('alg-0003-peanut', 'p-0003', 'Peanuts', 'severe', null, 'u-nina', 2, 'entered_in_error'),
    allergy('alg-0004-sulfa', 'p-0004', 'Sulfonamides', 'moderate', 'Rash', 'u-smith', 10),
    allergy('alg-0005-ibuprofen', 'p-0005', 'Ibuprofen', 'severe', 'Bronchospasm', 'u-nina', 1),
    allergy('alg-0010-morphine', 'p-0010', 'Morphine', 'mild', 'Itching', 'u-night-card', 1),
    allergy('alg-0022-chlorhex', 'p-0022', 'Chlorhexidine', 'severe', 'Urticaria', 'u-nurse-surg', 4),
  ];
  const allergy_status_changes = [
    {
      id: 'asc-0002-codeine',
      allergy: 'alg-0002-codeine',
      previous_status: 'active',
      status: 'inactive',
      changed_by: 'u-smith',
      changed_at: at(-5 * 24 * 60),
      reason: 'Tolerated codeine after surgery in 2025; nausea only',
    },
    {
      id: 'asc-0003-peanut',
      allergy: 'alg-0003-peanut',
      previous_status: 'active',
      status: 'entered_in_error',
      changed_by: 'u-nina',
      changed_at: at(-2 * 24 * 60 + 30),
      reason: 'Recorded for the wrong patient (bed 103)',
    },
  ];

  // Checked and none found; everyone else (and those with an allergy converted from an alert) as recorded.
  const withAllergy = new Set([...allergies.map((a) => a.patient as string), ...convertedAllergies]);
  const patients = new Map<string, Entry>();
  for (const id of ['p-0006', 'p-0007', 'p-0008', 'p-0009', 'p-0011', 'p-0021', 'p-0023'])
    if (!withAllergy.has(id)) patients.set(id, { no_known_allergies: true });
  // Hypercapnic respiratory failure (COPD): oxygen prescribed to a target of 88–92 %.
  patients.set('p-0002', { ...patients.get('p-0002'), spo2_scale: 2 });

  const note = (patient: string, author: string, s: string, b: string, a: string, r: string): Entry => ({
    id: `ho-${patient.slice(2)}-night`,
    patient,
    author,
    written_at: today(6, 40),
    situation: s,
    background: b,
    assessment: a,
    recommendation: r,
  });
  const handover_notes = [
    note(
      'p-alice',
      'u-night-card',
      'Chest pain settled overnight; one dose of morphine at 03:00.',
      'Suspected NSTEMI; penicillin anaphylaxis.',
      'Observations stable, pain 2/10.',
      'Repeat troponin this morning; review analgesia.',
    ),
    note(
      'p-0002',
      'u-night-card',
      'Breathless on exertion, settled on 2 L oxygen.',
      'COPD with type 2 respiratory failure: SpO2 target 88–92 % (scale 2).',
      'Saturations 89–91 %, alert.',
      'Keep within target; blood gas if drowsy.',
    ),
    note(
      'p-0004',
      'u-night-card',
      'Slept well.',
      'Admitted for rate control of atrial fibrillation.',
      'Heart rate 80s on bisoprolol.',
      'Echo booked for today.',
    ),
    note(
      'p-vip',
      'u-vera',
      'Comfortable overnight.',
      'Private admission; press interest — no information by phone.',
      'Stable.',
      'IV antibiotics due this morning.',
    ),
  ];

  let codes = 0;
  // The barcode on the package: a GTIN-14 of the demo's own range.
  const order = (id: string, patient: string, medication: string, fields: Entry): Entry => ({
    id,
    patient,
    medication,
    product_code: `0501234567${String(8900 + ++codes * 7)}`,
    starts_at: at(-2 * 24 * 60),
    prescriber: 'u-smith',
    status: 'active',
    ...fields,
  });
  const medication_orders = [
    order('mo-alice-clari', 'p-alice', 'Clarithromycin', { dose: 500, unit: 'mg', route: 'oral', times: ['08:00', '20:00'] }),
    order('mo-alice-morphine', 'p-alice', 'Morphine sulfate', {
      dose: 5,
      unit: 'mg',
      route: 'sc',
      prn: true,
      min_interval_hours: 4,
      controlled: true,
    }),
    order('mo-alice-paracetamol', 'p-alice', 'Paracetamol', {
      dose: 1,
      unit: 'g',
      route: 'oral',
      times: ['06:00', '12:00', '18:00', '22:00'],
      status: 'stopped',
      stopped_by: 'u-smith',
      stopped_at: at(-6 * 60),
      stop_reason: 'Liver function tests raised',
    }),
    order('mo-0002-enox', 'p-0002', 'Enoxaparin', { dose: 40, unit: 'mg', route: 'sc', times: ['18:00'] }),
    order('mo-0003-ondansetron', 'p-0003', 'Ondansetron', {
      dose: 4,
      unit: 'mg',
      route: 'iv',
      prn: true,
      min_interval_hours: 8,
      ends_at: at(-4 * 60),
    }),
    order('mo-0004-bisoprolol', 'p-0004', 'Bisoprolol', { dose: 2.5, unit: 'mg', route: 'oral', times: ['08:00'] }),
    order('mo-0005-ceftriaxone', 'p-0005', 'Ceftriaxone', {
      dose: 2,
      unit: 'g',
      route: 'iv',
      times: ['10:00'],
      starts_at: today(24 + 10),
    }),
    order('mo-0022-oxycodone', 'p-0022', 'Oxycodone', {
      dose: 5,
      unit: 'mg',
      route: 'oral',
      prn: true,
      min_interval_hours: 4,
      controlled: true,
      prescriber: 'u-doc-surg-1',
    }),
  ];

  const dose = (id: string, orderId: string, fields: Entry): Entry => ({
    id,
    order: orderId,
    patient_scanned: true,
    product_scanned: true,
    ...fields,
  });
  const medication_administrations = [
    dose('ma-alice-clari-1', 'mo-alice-clari', {
      status: 'given',
      scheduled_for: today(-4),
      at: today(-4, 8),
      dose: 500,
      by: 'u-night-card',
    }),
    dose('ma-alice-morphine-1', 'mo-alice-morphine', {
      status: 'given',
      at: today(3),
      dose: 5,
      by: 'u-night-card',
      witness: 'u-nina',
    }),
    dose('ma-0002-enox-1', 'mo-0002-enox', {
      status: 'held',
      scheduled_for: today(-6),
      at: today(-6, 5),
      dose: 40,
      by: 'u-nina',
      reason: 'Platelets 62; physician informed',
      product_scanned: false,
    }),
    dose('ma-0003-ondansetron-1', 'mo-0003-ondansetron', {
      status: 'given',
      at: at(-20 * 60),
      dose: 4,
      by: 'u-nina',
    }),
    dose('ma-0004-bisoprolol-1', 'mo-0004-bisoprolol', {
      status: 'refused',
      scheduled_for: today(-16),
      at: today(-16, 10),
      by: 'u-nina',
      reason: 'Felt dizzy on standing; physician informed',
    }),
  ];

  return { allergies, allergy_status_changes, handover_notes, medication_orders, medication_administrations, patients };
}
