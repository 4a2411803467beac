/** `Type:id` references used by scenarios, audit events and role scopes. */
export const RESOURCE_TYPES = [
  'Organization',
  'User',
  'Patient',
  'Appointment',
  'Record',
  'Observation',
  'Alert',
  'AuditEvent',
  // SPEC §3b ward nursing and medicines.
  'Allergy',
  'AllergyStatusChange',
  'HandoverNote',
  'MedicationOrder',
  'MedicationAdministration',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface ResourceRef {
  type: ResourceType;
  id: string;
}

export function parseRef(s: string): ResourceRef | null {
  const i = s.indexOf(':');
  if (i <= 0 || i === s.length - 1) return null;
  const type = s.slice(0, i);
  if (!(RESOURCE_TYPES as readonly string[]).includes(type)) return null;
  return { type: type as ResourceType, id: s.slice(i + 1) };
}

export const formatRef = (r: ResourceRef): string => `${r.type}:${r.id}`;
