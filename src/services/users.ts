/** Creating accounts with sign-in secrets: secrets are hashed here, so no plaintext reaches the outbox or the server. */
import { z } from 'zod';
import type { User } from '../domain/entities';
import { hashSecret } from '../domain/secretHash';
import type { Principal, ServiceContext } from './context';
import { createOrganization, createUser } from './mutations/admin';
import { parseArgs, runMutation } from './run';

export const Password = z.string().min(10, 'must have at least 10 characters').max(200);
export const Pin = z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits');

const Secrets = z.object({ password: Password.nullish(), pin: Pin.nullish() });

/** `createUser`'s arguments with the typed password and PIN replaced by their salted hashes. */
export async function userArgsWithSecrets(input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { password, pin, ...rest } = input;
  const secrets = parseArgs(Secrets, { password, pin });
  return {
    ...rest,
    ...(secrets.password ? { password_hash: await hashSecret(secrets.password) } : {}),
    ...(secrets.pin ? { pin_hash: await hashSecret(secrets.pin) } : {}),
  };
}

export async function createUserWithSecrets(
  ctx: ServiceContext,
  principal: Principal,
  input: Record<string, unknown>,
): Promise<User> {
  return runMutation(ctx, principal, createUser, await userArgsWithSecrets(input));
}

const OrgInput = z.object({
  id: z.string(),
  name: z.string(),
  admin: z.object({ name: z.string(), username: z.string(), password: Password }).optional(),
});

/** `createOrganization`'s arguments with the first admin's password replaced by its salted hash. */
export async function organizationArgs(input: unknown): Promise<Record<string, unknown>> {
  const a = parseArgs(OrgInput, input);
  const admin = a.admin
    ? { name: a.admin.name, username: a.admin.username, password_hash: await hashSecret(a.admin.password) }
    : undefined;
  return { id: a.id, name: a.name, ...(admin ? { admin } : {}) };
}

export async function createOrganizationWithAdmin(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
): Promise<{ id: string; name: string }> {
  return runMutation(ctx, principal, createOrganization, await organizationArgs(input));
}
