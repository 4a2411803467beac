/** zod building blocks shared by IPC, services and the sync protocol. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { canonicalTime } from './time';

export const Id = z.string().trim().min(1, 'is required').max(200, 'is too long')
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'may contain only letters, digits and _ . : @ -');

/**
 * A client-generated id (kept in the outbox so the server creates the very same row). It must be
 * random (`prefix-` and a version 4 UUID, 122 random bits): an id chosen by the caller could name
 * another organization's row, and the answer ("already registered") would tell that it exists
 * (docs/security.md, T5). Existing rows keep whatever ids they have.
 */
export const NewId = (prefix: string) => z.string()
  .regex(new RegExp(`^${prefix}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), `must be a new random id (${prefix}- and a UUID); leave it out to get one`)
  .default(() => `${prefix}-${randomUUID()}`);

export const Name = z.string().trim().min(1, 'is required').max(500, 'is too long');
export const Text = z.string().max(20_000, 'is too long');

export const IsoTime = z.string().transform((s, ctx) => {
  const t = canonicalTime(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a date and time with a time zone' });
    return z.NEVER;
  }
  return t;
});

export const BirthDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 1950-02-01')
  .refine((s) => !Number.isNaN(new Date(`${s}T00:00:00Z`).getTime()), 'is not a real date');

export const ScopeRef = z.string().regex(/^(Organization|Facility|Ward|Room):[A-Za-z0-9_.:@-]+$/,
  'must look like Ward:ID (Organization, Facility, Ward or Room)');

export const SecretHash = z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'is not a stored secret');
