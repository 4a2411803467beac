/** zod building blocks shared by IPC, services and the sync protocol. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { normaliseMrn } from './mrn';
import { canonicalTime } from './time';

export const Id = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(200, 'is too long')
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'may contain only letters, digits and _ . : @ -');

/**
 * A client-generated id (kept in the outbox so the server creates the very same row). It must be
 * random (`prefix-` and a version 4 UUID, 122 random bits): an id chosen by the caller could name
 * another organization's row, and the answer ("already registered") would tell that it exists
 * (docs/security.md, T5). Existing rows keep whatever ids they have.
 */
export const NewId = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`),
      `must be a new random id (${prefix}- and a UUID); leave it out to get one`,
    )
    .default(() => `${prefix}-${randomUUID()}`);

export const Name = z.string().trim().min(1, 'is required').max(500, 'is too long');

/**
 * A medical record number as typed, checked as src/domain/mrn.ts says: refused with the sentence naming
 * an invisible or look-alike character (issue 18). Kept as typed (a lookup may echo it); `Mrn` stores it.
 */
export const TypedMrn = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100)
  .superRefine((raw, ctx) => {
    // An empty or over-long MRN is already said once by min/max; the character check adds only its own sentence.
    if (raw.length === 0 || raw.length > 100) return;
    const mrn = normaliseMrn(raw);
    if (!mrn.ok) ctx.addIssue({ code: 'custom', message: mrn.problem });
  });

/** A medical record number to store: its canonical form (NFKC, upper case), "stm-100013" is STM-100013. */
export const Mrn = TypedMrn.transform((raw) => (normaliseMrn(raw) as { value: string }).value);
export const Text = z.string().max(20_000, 'is too long');

export const IsoTime = z.string().transform((s, ctx) => {
  const t = canonicalTime(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a date and time with a time zone' });
    return z.NEVER;
  }
  return t;
});

/** Earliest birth date accepted: older entries are typing errors (SPEC: absurd values are refused). */
export const MIN_BIRTH_DATE = '1900-01-01';

export const BirthDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 1950-02-01')
  .refine(
    (s) => !Number.isNaN(new Date(`${s}T00:00:00Z`).getTime()) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a real date',
  )
  .refine((s) => s >= MIN_BIRTH_DATE, 'cannot be before 1 January 1900');

export const ScopeRef = z
  .string()
  .regex(
    /^(Organization|Facility|Ward|Room):[A-Za-z0-9_.:@-]+$/,
    'must look like Ward:ID (Organization, Facility, Ward or Room)',
  );

export const SecretHash = z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'is not a stored secret');

/** The words a form shows for a request field ("birth_date" → "Birth date"); ids name what they point to. */
const FIELD_WORDS: Record<string, string> = {
  mrn: 'Medical record number',
  birth_date: 'Birth date',
  room_id: 'Room',
  patient_id: 'Patient',
  clinician_id: 'Clinician',
  appointment_id: 'Appointment',
  record_id: 'Record',
  scheduled_at: 'Date and time',
  due_at: 'Due time',
  recorded_at: 'Time of measurement',
  public_notes: 'Public notes',
  internal_notes: 'Internal notes',
  valid_from: 'Valid from',
  valid_until: 'Valid until',
  org_id: 'Organization',
  user_id: 'User',
  userId: 'User',
  orgId: 'Organization',
  patientId: 'Patient',
  wardId: 'Ward',
  serverUrl: 'Server address',
  pin: 'PIN',
};

function fieldWords(path: ReadonlyArray<PropertyKey>): string {
  const last = [...path].reverse().find((p) => typeof p === 'string') as string | undefined;
  if (!last) return 'The request';
  return FIELD_WORDS[last] ?? (last.charAt(0).toUpperCase() + last.slice(1)).replace(/_/g, ' ');
}

type Issue = z.core.$ZodIssue;

/** zod's wording ("Too big: expected string to have <=100 characters") in the words of a form. */
function issueWords(i: Issue): string {
  switch (i.code) {
    case 'too_big':
      return i.origin === 'string'
        ? `is too long: at most ${Number(i.maximum).toLocaleString('en')} characters`
        : `is too large: at most ${String(i.maximum)}`;
    case 'too_small':
      return i.origin === 'string'
        ? Number(i.minimum) <= 1
          ? 'is required'
          : `needs at least ${String(i.minimum)} characters`
        : `is too small: at least ${String(i.minimum)}`;
    case 'invalid_type':
      return /received undefined/.test(i.message) ? 'is required' : 'has the wrong form';
    case 'invalid_value':
      return `must be one of ${i.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `has fields this form does not have (${i.keys.slice(0, 3).join(', ')})`;
    case 'invalid_format':
      return i.format === 'url' ? 'must be a web address' : 'has the wrong format';
    default:
      return i.message;
  }
}

/**
 * One sentence per problem, naming the field and what to do: "Reason is too long: at most 2,000
 * characters." A message that is already a sentence of its own (it starts with a capital letter, as the
 * plausibility checks' "Heart rate must be between 20 and 250 /min." do) is shown as it is.
 */
export function describeIssues(issues: ReadonlyArray<Issue>): string {
  const sentences = issues.slice(0, 5).map((i) => {
    const zodDefault = /^(Too (big|small)|Invalid|Unrecognized|Expected)\b/.test(i.message);
    const text =
      !zodDefault && /^[A-Z]/.test(i.message) ? i.message : `${fieldWords(i.path)} ${zodDefault ? issueWords(i) : i.message}`;
    return /[.!?]$/.test(text) ? text : `${text}.`;
  });
  return [...new Set(sentences)].join(' ');
}
