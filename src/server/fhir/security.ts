/**
 * SPEC §3a protection carried to the receiving system: `meta.security` with the HL7 codes, so another
 * system can keep protecting what this one protects. A label is on the labelled item itself (PSY, HIV,
 * ETH, STD, GDIS from v3-ActCode); everything of a restricted patient carries confidentiality R.
 */
import type { Coding, Meta } from '@medplum/fhirtypes';

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
