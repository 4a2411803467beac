/**
 * What a person proves who they are with at the window: a password, or a badge and its PIN. Shared by
 * sign-in, the break-glass proof and a witness's confirmation, so the rules of a badge id (trimmed,
 * upper case) and of a secret are written once.
 */
import { z } from 'zod';

export const Secret = z.string().min(1, 'is required').max(200);

export const PasswordCredentials = z
  .object({ method: z.literal('password'), username: z.string().trim().min(1, 'is required').max(100), password: Secret })
  .strict();

export const BadgeCredentials = z
  .object({
    method: z.literal('badge'),
    // Badges are stored in upper case: a reader typing the tag id in lower case signs in all the same.
    badge: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(100)
      .transform((b) => b.toUpperCase()),
    pin: Secret,
  })
  .strict();
