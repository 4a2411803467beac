/** Tenants, users, role assignments and badges (SPEC §3 Organization and User rows). */
import { z } from 'zod';
import { AppError, conflict, invalid } from '../../domain/errors';
import { CLEARANCES, ROLES, ROOT_ORG_ID, type ScopeType } from '../../domain/roles';
import type { RoleAssignment, User } from '../../domain/entities';
import type { Db } from '../../store/db';
import { Id, IsoTime, Name, NewId, ScopeRef, SecretHash } from '../../domain/schemas';
import { getAssignment, getUser, scopeOrg } from '../load';
import type { Check } from '../run';
import { defineMutation, ref } from '../run';

const Username = z
  .string()
  .trim()
  .min(2, 'must have at least 2 characters')
  .max(100)
  .regex(/^[a-z0-9._-]+$/, 'may contain only lower-case letters, digits and . _ -');
/** A badge (NFC tag id) is stored in upper case: readers differ in the case they type the same tag in. */
const Badge = z
  .string()
  .trim()
  .min(4, 'must have at least 4 characters')
  .max(100)
  .regex(/^[A-Za-z0-9:-]+$/, 'may contain only letters, digits, : and -')
  .transform((b) => b.toUpperCase());

/**
 * Usernames and badges are unique within the organization (and never those of root's reserved
 * organization): the answer depends on no other organization's users (docs/security.md, T5).
 */
async function assertUnique(db: Db, orgId: string, username: string, badge: string | null | undefined): Promise<void> {
  if (await db.get('SELECT 1 FROM users WHERE username = ? AND org_id IN (?, ?)', [username, orgId, ROOT_ORG_ID]))
    throw conflict(`The username ${username} is taken.`);
  if (badge) await assertBadgeFree(db, orgId, badge, null);
}

async function assertBadgeFree(db: Db, orgId: string, badge: string, except: string | null): Promise<void> {
  if (
    await db.get('SELECT 1 FROM users WHERE badge = ? AND org_id IN (?, ?) AND id <> ?', [
      badge,
      orgId,
      ROOT_ORG_ID,
      except ?? '',
    ])
  )
    throw conflict('That badge is already assigned to someone.');
}

export const createOrganization = defineMutation({
  name: 'createOrganization',
  args: z
    .object({
      id: Id.refine((s) => s !== ROOT_ORG_ID, 'is reserved'),
      name: Name,
      /** The first admin of the new organization; only root can create it, so it comes with the tenant. */
      admin: z
        .object({ id: NewId('usr'), name: Name, username: Username, password_hash: SecretHash.optional() })
        .strict()
        .optional(),
    })
    .strict(),
  async plan(ctx, a) {
    return {
      checks: [
        {
          action: 'create_organization',
          target: { type: 'Organization', id: ROOT_ORG_ID },
          forbidden: 'Only root may create organizations.',
        },
      ],
      audit: { action: 'create_organization', resource: ref('Organization', a.id), orgId: a.id },
      summary: `Organization ${a.name}`,
      async apply(w, _who, now) {
        if (await ctx.db.get('SELECT 1 FROM organizations WHERE id = ?', [a.id]))
          throw conflict(`An organization with id ${a.id} exists already.`);
        await w.insert('organizations', { id: a.id, name: a.name });
        if (a.admin) {
          await assertUnique(ctx.db, a.id, a.admin.username, null);
          await w.insert('users', {
            id: a.admin.id,
            org_id: a.id,
            name: a.admin.name,
            username: a.admin.username,
            badge: null,
            patient_id: null,
          });
          await w.insert('role_assignments', {
            id: `ra-${a.admin.id}-admin`,
            user_id: a.admin.id,
            group_id: null,
            role: 'admin',
            scope_type: 'Organization',
            scope_id: a.id,
            org_id: a.id,
            categories: '[]',
            valid_from: null,
            valid_until: null,
            clearances: '[]',
          });
          if (a.admin.password_hash) {
            await w.insert('credentials', {
              user_id: a.admin.id,
              password_hash: a.admin.password_hash,
              pin_hash: null,
              failed_attempts: 0,
              locked_until: null,
              updated_at: now,
            });
          }
        }
        return { id: a.id, name: a.name };
      },
    };
  },
});

export const createUser = defineMutation({
  name: 'createUser',
  args: z
    .object({
      id: NewId('usr'),
      org_id: Id,
      name: Name,
      username: Username,
      badge: Badge.nullish(),
      patient_id: Id.nullish(),
      password_hash: SecretHash.optional(),
      pin_hash: SecretHash.optional(),
    })
    .strict(),
  async plan(ctx, a) {
    return {
      checks: [
        {
          action: 'create_user',
          target: { type: 'Organization', id: a.org_id },
          notFound: 'That organization was not found.',
          forbidden: 'Only an administrator of this organization may create users.',
        },
      ],
      audit: { action: 'create_user', resource: ref('User', a.id), orgId: a.org_id },
      summary: `New user ${a.name}`,
      async apply(w, _who, now) {
        await assertUnique(ctx.db, a.org_id, a.username, a.badge);
        if (await getUser(ctx.db, a.id)) throw conflict('This id is already in use; create the user again to get a new one.');
        if (a.patient_id) {
          const p = await ctx.db.get<{ org_id: string }>('SELECT org_id FROM patients WHERE id = ?', [a.patient_id]);
          if (!p || p.org_id !== a.org_id) throw invalid('That patient is not registered in this organization.');
        }
        const user: User = {
          id: a.id,
          org_id: a.org_id,
          name: a.name,
          username: a.username,
          badge: a.badge ?? null,
          patient_id: a.patient_id ?? null,
        };
        await w.insert('users', user);
        if (a.password_hash || a.pin_hash) {
          await w.insert('credentials', {
            user_id: a.id,
            password_hash: a.password_hash ?? null,
            pin_hash: a.pin_hash ?? null,
            failed_attempts: 0,
            locked_until: null,
            updated_at: now,
          });
        }
        return user;
      },
    };
  },
});

/** Changing someone's roles needs manage_roles on the organization of the scope and on the user. */
function roleChecks(orgId: string | undefined, userId: string | null): Check[] {
  const checks: Check[] = [
    {
      action: 'manage_roles',
      target: orgId ? { type: 'Organization', id: orgId } : null,
      notFound: 'That place was not found.',
      forbidden: 'Only an administrator of this organization may change roles.',
    },
  ];
  if (userId)
    checks.push({
      action: 'manage_roles',
      target: { type: 'User', id: userId },
      notFound: 'That user was not found.',
      forbidden: "Only an administrator of this user's organization may change their roles.",
    });
  return checks;
}

export const assignRole = defineMutation({
  name: 'assignRole',
  args: z
    .object({
      id: NewId('ra'),
      user_id: Id.optional(),
      group_id: Id.optional(),
      role: z.enum(ROLES),
      scope: ScopeRef,
      categories: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
      /** SPEC §3a: cleared for restricted patients and for sensitivity labels. */
      clearances: z
        .array(z.enum(CLEARANCES))
        .max(CLEARANCES.length)
        .default([])
        .transform((c) => [...new Set(c)].sort()),
      valid_from: IsoTime.nullish(),
      valid_until: IsoTime.nullish(),
    })
    .strict()
    .refine((a) => (a.user_id === undefined) !== (a.group_id === undefined), 'choose either a user or a group')
    .refine((a) => !a.valid_from || !a.valid_until || a.valid_from < a.valid_until, 'the end must be after the start')
    .refine((a) => a.role === 'lab_technician' || a.categories.length === 0, 'categories apply to lab technicians only'),
  async plan(ctx, a) {
    const [scopeType, ...rest] = a.scope.split(':');
    const scopeId = rest.join(':');
    const org = await scopeOrg(ctx.db, scopeType!, scopeId);
    return {
      checks: roleChecks(org, a.user_id ?? null),
      audit: { action: 'assign_role', resource: a.user_id ? ref('User', a.user_id) : `Group:${a.group_id}`, orgId: org ?? null },
      summary: `Role ${a.role} at ${a.scope}`,
      async apply(w) {
        const holderOrg = a.user_id
          ? (await getUser(ctx.db, a.user_id))?.org_id
          : (await ctx.db.get<{ org_id: string }>('SELECT org_id FROM groups WHERE id = ?', [a.group_id!]))?.org_id;
        if (holderOrg !== org) throw invalid('The role must be in the same organization as the person or group.');
        if (await getAssignment(ctx.db, a.id)) throw conflict('This role assignment exists already.');
        const row: RoleAssignment = {
          id: a.id,
          user_id: a.user_id ?? null,
          group_id: a.group_id ?? null,
          role: a.role,
          scope_type: scopeType as ScopeType,
          scope_id: scopeId,
          org_id: org!,
          categories: JSON.stringify(a.categories),
          valid_from: a.valid_from ?? null,
          valid_until: a.valid_until ?? null,
          clearances: JSON.stringify(a.clearances),
        };
        await w.insert('role_assignments', row);
        return row;
      },
    };
  },
});

export const revokeRole = defineMutation({
  name: 'revokeRole',
  args: z.object({ id: Id }).strict(),
  async plan(ctx, a) {
    const ra = await getAssignment(ctx.db, a.id);
    return {
      // One not-found sentence whether or not the assignment exists (another organization's must not show).
      checks: ra
        ? roleChecks(ra.org_id, ra.user_id).map((c) => ({ ...c, notFound: 'That role assignment was not found.' }))
        : [{ action: 'manage_roles', target: null, forbidden: '', notFound: 'That role assignment was not found.' }],
      audit: {
        action: 'revoke_role',
        resource: ra?.user_id ? ref('User', ra.user_id) : `RoleAssignment:${a.id}`,
        orgId: ra?.org_id ?? null,
      },
      summary: `Role ${ra?.role ?? ''} removed`,
      async apply(w) {
        const before = await w.delete('role_assignments', { id: a.id });
        if (!before) throw new AppError('conflict', 'This role was already removed.');
        return { id: a.id };
      },
    };
  },
});

export const updateBadge = defineMutation({
  name: 'updateBadge',
  args: z.object({ user_id: Id, badge: Badge.nullable() }).strict(),
  async plan(ctx, a) {
    const user = await getUser(ctx.db, a.user_id);
    return {
      checks: [
        {
          action: 'update_badge',
          target: user ? { type: 'User', id: a.user_id } : null,
          notFound: 'That user was not found.',
          forbidden: 'Only an administrator of this organization may set badges.',
        },
      ],
      audit: { action: 'update_badge', resource: ref('User', a.user_id), orgId: user?.org_id ?? null },
      summary: `Badge of ${user?.name ?? a.user_id}`,
      async apply(w) {
        if (a.badge) await assertBadgeFree(ctx.db, user!.org_id, a.badge, a.user_id);
        return (await w.update('users', { id: a.user_id }, { badge: a.badge })) as unknown as User;
      },
    };
  },
});

/**
 * A new password or PIN (as salted hashes, made where the secret was typed): the user themself or
 * an administrator of their organization (`update` on the user). The change is version-stamped on
 * the server like any write, so it reaches the user's workstations on their next sync and the old
 * secret stops working there offline.
 */
export const setSecrets = defineMutation({
  name: 'setSecrets',
  args: z
    .object({ user_id: Id, password_hash: SecretHash.optional(), pin_hash: SecretHash.optional() })
    .strict()
    .refine((a) => a.password_hash !== undefined || a.pin_hash !== undefined, 'give a new password or PIN'),
  async plan(ctx, a) {
    const user = await getUser(ctx.db, a.user_id);
    return {
      checks: [
        {
          action: 'update',
          target: user ? { type: 'User', id: a.user_id } : null,
          notFound: 'That user was not found.',
          forbidden: 'Only the user or an administrator of their organization may change their password or PIN.',
        },
      ],
      audit: { action: 'set_secrets', resource: ref('User', a.user_id), orgId: user?.org_id ?? null },
      summary: `Password or PIN of ${user?.name ?? a.user_id}`,
      async apply(w, _who, now) {
        const patch = {
          ...(a.password_hash ? { password_hash: a.password_hash } : {}),
          ...(a.pin_hash ? { pin_hash: a.pin_hash } : {}),
          failed_attempts: 0,
          locked_until: null,
          updated_at: now,
        };
        const updated = await w.update('credentials', { user_id: a.user_id }, patch);
        if (!updated) await w.insert('credentials', { user_id: a.user_id, password_hash: null, pin_hash: null, ...patch });
        return { user_id: a.user_id, updated_at: now };
      },
    };
  },
});
