/**
 * FHIR resources another system sends, mapped back to the arguments of the SAME write services the
 * workstations use (src/services/mutations): the inverse of resources/*.ts for what can be written.
 * Only the mapping lives here; the services validate (zod, src/domain), authorize, audit and version.
 * What cannot be mapped is refused with a sentence, never dropped silently when it would change meaning.
 */
import { randomUUID } from 'node:crypto';
import type { AllergyIntolerance, CodeableConcept, Observation, Patient, Reference } from '@medplum/fhirtypes';
import { AppError } from '../../../domain/errors';
import type { ALLERGY_SEVERITIES } from '../../../domain/roles';
import { LOCAL_CODE, VITAL_LOINC } from '../resources/observation';

const LOINC = 'http://loinc.org';
const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/**
 * LOINC codes of the labs with SPEC §7b critical limits (in the units src/domain/measures.ts stores), so a
 * laboratory system can send its own codes; anything else is sent with the product's code system.
 */
const LAB_LOINC: Record<string, string> = {
  '2823-3': 'potassium',
  '2951-2': 'sodium',
  '2345-7': 'glucose',
  '718-7': 'hemoglobin',
  '2524-7': 'lactate',
  '6301-6': 'inr',
};

const CATEGORY: Record<string, string> = { 'vital-signs': 'vitals', laboratory: 'lab', imaging: 'imaging' };
const LABELS: Record<string, string> = {
  PSY: 'psychiatry',
  HIV: 'hiv',
  ETH: 'substance_use',
  STD: 'sexual_health',
  GDIS: 'genetic',
};

const bad = (message: string): AppError => new AppError('invalid', message);

export const newId = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** The id in `Type/id` (a literal reference to a resource of this server). */
export function referenceId(ref: Reference | undefined, type: string, field: string): string {
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref?.reference ?? '');
  if (!m || m[1] !== type) throw bad(`${field} must be a reference such as "${type}/123" to a ${type} of this server.`);
  return m[2]!;
}

// ---------------------------------------------------------------- Patient

const MRN_SYSTEM = /^urn:clinic-workstation:mrn:/;

function mrnOf(p: Patient): string {
  const ids = p.identifier ?? [];
  const mrn =
    ids.find((i) => i.type?.coding?.some((c) => c.code === 'MR')) ?? ids.find((i) => MRN_SYSTEM.test(i.system ?? '')) ?? ids[0];
  if (!mrn?.value) throw bad('Patient.identifier must hold the medical record number (type MR).');
  return mrn.value;
}

function nameOf(p: Patient): string {
  const n = p.name?.find((x) => x.use === 'official') ?? p.name?.[0];
  const text = n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
  if (!text) throw bad('Patient.name must hold the name (text, or given and family).');
  return text;
}

export interface Demographics {
  mrn: string;
  name: string;
  birth_date: string;
}

export function patientDemographics(p: Patient): Demographics {
  if (!p.birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(p.birthDate))
    throw bad('Patient.birthDate must be a full date such as 1980-04-01.');
  return { mrn: mrnOf(p), name: nameOf(p), birth_date: p.birthDate };
}

/** registerPatient's arguments: an outpatient of the caller's organization (the room is the ward's to give). */
export function registerPatientArgs(p: Patient, id = newId('pat')): Record<string, unknown> {
  return { id, ...patientDemographics(p), room_id: null, facility_id: null, status: 'outpatient' };
}

// ---------------------------------------------------------------- Observation

function productCode(c: CodeableConcept | undefined): string {
  for (const coding of c?.coding ?? []) if (coding.system === LOCAL_CODE && coding.code) return coding.code;
  for (const coding of c?.coding ?? []) {
    if (coding.system !== LOINC || !coding.code) continue;
    const vital = Object.entries(VITAL_LOINC).find(([, l]) => l.code === coding.code)?.[0];
    if (vital) return vital;
    if (LAB_LOINC[coding.code]) return LAB_LOINC[coding.code]!;
  }
  throw bad(
    `Observation.code must carry a LOINC code this server maps (${[...Object.values(VITAL_LOINC).map((l) => l.code), ...Object.keys(LAB_LOINC)].join(', ')}) or a code of ${LOCAL_CODE}.`,
  );
}

function categoryOf(o: Observation): string {
  for (const cc of o.category ?? [])
    for (const coding of cc.coding ?? [])
      if (coding.system === CATEGORY_SYSTEM && CATEGORY[coding.code ?? '']) return CATEGORY[coding.code!]!;
  throw bad('Observation.category must be vital-signs, laboratory or imaging (observation-category).');
}

function valueOf(o: Observation): { value: string; unit: string } {
  if (o.valueQuantity?.value !== undefined)
    return { value: String(o.valueQuantity.value), unit: o.valueQuantity.code ?? o.valueQuantity.unit ?? '' };
  if (o.valueString !== undefined) return { value: o.valueString, unit: '' };
  throw bad('Observation needs valueQuantity (a number with its unit) or valueString.');
}

function labelOf(r: { meta?: { security?: Array<{ system?: string; code?: string }> } }): string | null {
  const labels = (r.meta?.security ?? []).filter((c) => c.system === ACT_CODE && LABELS[c.code ?? '']);
  if (labels.length > 1) throw bad('An Observation carries at most one sensitivity label (meta.security).');
  return labels[0] ? LABELS[labels[0].code!]! : null;
}

/** recordObservation's arguments. Stored once: a correction is a new observation (docs/fhir.md). */
export function recordObservationArgs(o: Observation, id = newId('obs')): Record<string, unknown> {
  if (o.status !== 'final' && o.status !== 'amended' && o.status !== 'corrected' && o.status !== 'preliminary')
    throw bad('Observation.status must be final (or preliminary, amended, corrected): this server stores results, not orders.');
  if (!o.effectiveDateTime) throw bad('Observation.effectiveDateTime must say when it was measured.');
  return {
    id,
    patient_id: referenceId(o.subject, 'Patient', 'Observation.subject'),
    ...(o.encounter ? { appointment_id: referenceId(o.encounter, 'Encounter', 'Observation.encounter') } : {}),
    category: categoryOf(o),
    code: productCode(o.code),
    ...valueOf(o),
    recorded_at: new Date(o.effectiveDateTime).toISOString(),
    sensitivity: labelOf(o),
  };
}

// ---------------------------------------------------------------- AllergyIntolerance

type Severity = (typeof ALLERGY_SEVERITIES)[number];

function severityOf(a: AllergyIntolerance): Severity {
  const reaction = a.reaction?.[0]?.severity;
  // What this server writes: life-threatening as criticality high with a severe reaction is ambiguous with
  // severe, so an incoming severe reaction is `severe`; mild and moderate as they are.
  if (reaction) return reaction;
  if (a.criticality === 'high') return 'severe';
  if (a.criticality === 'low') return 'mild';
  throw bad('AllergyIntolerance needs reaction.severity (mild, moderate, severe) or a criticality.');
}

export function recordAllergyArgs(a: AllergyIntolerance, id = newId('alg')): Record<string, unknown> {
  const substance = a.code?.text ?? a.code?.coding?.find((c) => c.display)?.display;
  if (!substance) throw bad('AllergyIntolerance.code must name the substance (text or a coding with a display).');
  const status = statusOf(a);
  if (status !== 'active') throw bad('A new AllergyIntolerance must be active; record it, then change its status.');
  const manifestation = a.reaction?.[0]?.manifestation?.map((m) => m.text ?? m.coding?.[0]?.display).filter(Boolean);
  return {
    id,
    patient_id: referenceId(a.patient, 'Patient', 'AllergyIntolerance.patient'),
    substance,
    reaction: manifestation?.length ? manifestation.join(', ') : null,
    severity: severityOf(a),
  };
}

/** The product's status: entered in error (verification), else the clinical status active or inactive. */
export function statusOf(a: AllergyIntolerance): 'active' | 'inactive' | 'entered_in_error' {
  if (a.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error')) return 'entered_in_error';
  const clinical = a.clinicalStatus?.coding?.find((c) => c.code)?.code ?? 'active';
  if (clinical === 'active') return 'active';
  if (clinical === 'inactive' || clinical === 'resolved') return 'inactive';
  throw bad('AllergyIntolerance.clinicalStatus must be active, inactive or resolved.');
}

/** Why a status changes: FHIR has no reason element here, so the first note says it. */
export function statusReasonOf(a: AllergyIntolerance): string {
  const reason = a.note?.[0]?.text;
  if (!reason) throw bad("Changing an allergy's status needs the reason in AllergyIntolerance.note[0].text.");
  return reason;
}
