/**
 * Observation ← observations: vital signs with their LOINC codes and UCUM units, lab and imaging
 * results with the product's own code. Every coding carries the product's code too, so nothing is lost
 * where no LOINC code is mapped (inspired oxygen, consciousness: docs/fhir.md).
 */
import type { CodeableConcept, Observation } from '@medplum/fhirtypes';
import type { Observation as ObservationRow } from '../../../domain/entities';
import { inList, or, type Sql } from '../../../store/sql';
import { securityMeta } from '../security';
import { PATIENT_COLUMNS, PATIENT_JOIN, type ResourceMapping, type Row, type WithRestricted } from '../mapping';
import { dateParam, patientParam } from '../commonParams';
import { parseToken } from '../params';
import { news2Source } from './news2';
import { CATEGORY_SYSTEM, LOCAL_CODE } from './observationCodes';

export { LOCAL_CODE };

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

/** SPEC §3b vital-sign codes with a LOINC code (the FHIR vital-signs codes). */
export const VITAL_LOINC: Record<string, { code: string; display: string }> = {
  respiratory_rate: { code: '9279-1', display: 'Respiratory rate' },
  oxygen_saturation: { code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
  blood_pressure_systolic: { code: '8480-6', display: 'Systolic blood pressure' },
  heart_rate: { code: '8867-4', display: 'Heart rate' },
  temperature: { code: '8310-5', display: 'Body temperature' },
};

/** Units the product stores that are UCUM codes as they are (SPEC §3b). */
const UCUM_UNITS = new Set([
  '/min',
  '%',
  'mm[Hg]',
  'Cel',
  'kg',
  'cm',
  'g/L',
  'g/dL',
  'mmol/L',
  'mg/dL',
  'umol/L',
  'U/L',
  '10*9/L',
  '10*12/L',
  'L/min',
]);

/** The product's categories as FHIR observation categories. */
const CATEGORY: Record<string, string> = { vitals: 'vital-signs', lab: 'laboratory', imaging: 'imaging' };

const NUMBER = /^-?\d+(\.\d+)?$/;

function code(r: ObservationRow): CodeableConcept {
  const loinc = VITAL_LOINC[r.code];
  return {
    coding: [...(loinc ? [{ system: LOINC, ...loinc }] : []), { system: LOCAL_CODE, code: r.code }],
    text: loinc?.display ?? r.code,
  };
}

function value(r: ObservationRow): Pick<Observation, 'valueQuantity' | 'valueString'> {
  const v = r.value;
  if (!NUMBER.test(v)) return { valueString: v };
  const unit = r.unit;
  return {
    valueQuantity: {
      value: Number(v),
      ...(unit ? { unit } : {}),
      ...(unit && UCUM_UNITS.has(unit) ? { system: UCUM, code: unit } : {}),
    },
  };
}

function toObservation(r: WithRestricted<ObservationRow>): Observation {
  const meta = securityMeta(r.sensitivity, r.patient_restricted);
  const category = CATEGORY[r.category];
  return {
    resourceType: 'Observation',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: 'final',
    category: [category ? { coding: [{ system: CATEGORY_SYSTEM, code: category }], text: r.category } : { text: r.category }],
    code: code(r),
    subject: { reference: `Patient/${r.patient_id}` },
    ...(r.appointment_id ? { encounter: { reference: `Encounter/${r.appointment_id}` } } : {}),
    effectiveDateTime: r.recorded_at,
    performer: [{ reference: `Practitioner/${r.recorded_by}` }],
    ...value(r),
  };
}

/** A `code` value as stored codes: a LOINC code maps back to the vital it stands for. */
function codeCondition(v: string): Sql {
  const { system, code: c } = parseToken('code', v);
  const fromLoinc = Object.entries(VITAL_LOINC)
    .filter(([, l]) => l.code === c)
    .map(([local]) => local);
  const stored =
    system === LOINC ? fromLoinc : system === LOCAL_CODE || system === null ? [c] : system === undefined ? [c, ...fromLoinc] : [];
  return inList('m.code', stored);
}

function categoryCondition(v: string): Sql {
  const { system, code: c } = parseToken('category', v);
  const stored = Object.entries(CATEGORY)
    .filter(([, fhir]) => fhir === c)
    .map(([local]) => local);
  return inList('m.category', system === CATEGORY_SYSTEM ? stored : [c, ...stored]);
}

export const observationMapping: ResourceMapping = {
  fhirType: 'Observation',
  authz: 'Observation',
  sorts: { date: 'm.recorded_at', _lastUpdated: 'm.recorded_at' },
  columns: PATIENT_COLUMNS,
  joins: PATIENT_JOIN,
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    subject: patientParam('The patient, as `patient`'),
    code: {
      type: 'token',
      documentation: `A LOINC code of a vital sign, the product's code (system ${LOCAL_CODE}), or the NEWS2 total score: SNOMED CT 1104051000000101 (or the product's news2_total)`,
      condition: (values) => or(...values.map(codeCondition)),
    },
    category: {
      type: 'token',
      documentation: 'vital-signs, laboratory, imaging, the product category, or survey (the NEWS2 scores)',
      condition: (values) => or(...values.map(categoryCondition)),
    },
    date: dateParam('m.recorded_at', 'When it was recorded (effectiveDateTime)'),
    _lastUpdated: dateParam('m.recorded_at', 'As date: an observation is stored once and never changed'),
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Array<WithRestricted<ObservationRow>>).map(toObservation),
  derived: news2Source,
};
