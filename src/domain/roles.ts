/** Vocabulary of SPEC §2: roles, statuses and scope types. Pure values, usable anywhere. */

export const ROLES = ['admin', 'physician', 'nurse', 'registration_clerk', 'lab_technician', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPE_TYPES = ['Organization', 'Facility', 'Ward', 'Room'] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

export const PATIENT_STATUSES = ['outpatient', 'admitted', 'discharged', 'final_discharged'] as const;
export type PatientStatus = (typeof PATIENT_STATUSES)[number];

export const APPOINTMENT_STATUSES = ['scheduled', 'in_progress', 'completed', 'canceled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const ALERT_STATUSES = ['open', 'acknowledged'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const CARE_TEAM_ROLES = ['member', 'lead'] as const;
export type CareTeamRole = (typeof CARE_TEAM_ROLES)[number];

/** The reserved organization that holds the global admin `root` (SPEC §2). */
export const ROOT_ORG_ID = '_root';

/** Break-glass lasts this long unless the site configures otherwise (SPEC §3). */
export const DEFAULT_BREAK_GLASS_MINUTES = 60;
export const MIN_BREAK_GLASS_REASON = 10;

/** SPEC §3a sensitivity labels (HL7 v3 PSY, HIV, ETH, STD, GDIS; docs/policy.md). */
export const SENSITIVITY_LABELS = ['psychiatry', 'hiv', 'substance_use', 'sexual_health', 'genetic'] as const;
export type SensitivityLabel = (typeof SENSITIVITY_LABELS)[number];

/** What a role assignment may be cleared for: restricted patients (confidentiality R) and each label. */
export const CLEARANCES = ['restricted', ...SENSITIVITY_LABELS] as const;
export type Clearance = (typeof CLEARANCES)[number];

/** A consent restriction's reason is required, so the review and the audit log say why. */
export const MIN_CONSENT_REASON = 5;

/** What an emergency access may override (SPEC §3a), recorded with it for the review. */
export const BREAK_GLASS_OVERRIDES = ['consent_restriction', 'restricted'] as const;
export type BreakGlassOverride = (typeof BREAK_GLASS_OVERRIDES)[number];

/** SPEC §3b: allergies (never deleted: their status moves), medicines and their administration. */
export const ALLERGY_SEVERITIES = ['mild', 'moderate', 'severe', 'life_threatening'] as const;
export type AllergySeverity = (typeof ALLERGY_SEVERITIES)[number];

export const ALLERGY_STATUSES = ['active', 'inactive', 'entered_in_error'] as const;
export type AllergyStatus = (typeof ALLERGY_STATUSES)[number];

export const MEDICATION_ROUTES = ['oral', 'iv', 'im', 'sc', 'inhaled', 'topical', 'rectal', 'other'] as const;
export type MedicationRoute = (typeof MEDICATION_ROUTES)[number];

export const ORDER_STATUSES = ['active', 'stopped'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ADMINISTRATION_STATUSES = ['given', 'held', 'refused', 'not_given'] as const;
export type AdministrationStatus = (typeof ADMINISTRATION_STATUSES)[number];

/** NEWS2 oxygen saturation scales: 2 is prescribed for hypercapnic respiratory failure. */
export const SPO2_SCALES = [1, 2] as const;
export type Spo2Scale = (typeof SPO2_SCALES)[number];

/**
 * What a user not cleared for a labelled appointment sees instead of its reason (SPEC §3a), in every
 * list, search and day view, and what travels to a workstation none of whose users is cleared.
 */
export const CONFIDENTIAL_VISIT = 'Confidential visit';
