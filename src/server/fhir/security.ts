/**
 * SPEC §3a protection carried to the receiving system: `meta.security` with the HL7 codes, so another
 * system can keep protecting what this one protects. A label is on the labelled item itself (PSY, HIV,
 * ETH, STD, GDIS from v3-ActCode); everything of a restricted patient carries confidentiality R.
 */
import type { Coding, Meta, Resource } from '@medplum/fhirtypes';
import type { ProtectedRead } from '../../services/queries/protectedData';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

const LABELS: Record<string, Coding> = {
  psychiatry: { system: ACT_CODE, code: 'PSY', display: 'psychiatry information sensitivity' },
  hiv: { system: ACT_CODE, code: 'HIV', display: 'HIV/AIDS information sensitivity' },
  substance_use: { system: ACT_CODE, code: 'ETH', display: 'substance abuse information sensitivity' },
  sexual_health: { system: ACT_CODE, code: 'STD', display: 'sexually transmitted disease information sensitivity' },
  genetic: { system: ACT_CODE, code: 'GDIS', display: 'genetic disease information sensitivity' },
};

const RESTRICTED: Coding = { system: CONFIDENTIALITY, code: 'R', display: 'restricted' };

const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';

/** The `meta` of a resource: its label (if any, and if the reader was cleared for it) and R for a restricted patient. */
export function securityMeta(sensitivity: unknown, patientRestricted: unknown): Meta | undefined {
  const security: Coding[] = [];
  if (typeof sensitivity === 'string' && LABELS[sensitivity]) security.push(LABELS[sensitivity]);
  if (truthy(patientRestricted)) security.push(RESTRICTED);
  return security.length > 0 ? { security } : undefined;
}

/**
 * What specially protected data a read or search returned, for its audit event, in the chart's
 * vocabulary (`Record:id` per label): taken from what was actually sent, so a labelled appointment whose
 * label the reader was not cleared for is not noted as a labelled read.
 */
export function protectedSent(authzType: string, resources: readonly Resource[]): ProtectedRead | null {
  const out: ProtectedRead = {};
  for (const r of resources) {
    for (const c of r.meta?.security ?? []) {
      if (c.system === CONFIDENTIALITY && c.code === 'R') out.restricted_patient = true;
      const label = Object.keys(LABELS).find((l) => LABELS[l]!.code === c.code && c.system === ACT_CODE);
      if (label) (out.sensitivity ??= {})[label] = [...(out.sensitivity[label] ?? []), `${authzType}:${r.id}`];
    }
  }
  return out.restricted_patient || out.sensitivity ? out : null;
}
