/**
 * The shape of every write use case: validate the arguments, then in ONE transaction decide (as the
 * principal, on current data), write, append the audit event and record the outbox entry. A denial
 * is audited too (in its own small transaction, since the write rolled back) and reported as an
 * AppError whose sentence the UI shows.
 *
 * Order matters for privacy: `plan` may only reject on facts that are not secret (the shape of the
 * input, reference data such as rooms); anything that depends on a patient's data is checked in
 * `apply`, after authorization, so an error message never reveals what the user may not read.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { NO_READ_CHECK } from '../authz/actions';
import type { Decision, Resolved, Target } from '../authz/engine';
import { AppError, invalid } from '../domain/errors';
import { formatRef, type ResourceType } from '../domain/refs';
import { describeIssues } from '../domain/schemas';
import { allStorable } from '../domain/text';
import { nowIso } from '../domain/time';
import { appendAudit } from '../store/audit';
import type { Writer } from '../store/writer';
import { newWriter, type Principal, type ServiceContext } from './context';

export interface Check {
  action: string;
  /** null when the resource does not exist (answers not_found, or forbidden for create-like checks). */
  target: Target | null;
  /** Override SPEC §3's not-found-vs-forbidden rule (e.g. registering judges `update` on a new object). */
  checkRead?: boolean;
  /** Shown when the decision is `forbidden`. */
  forbidden: string;
  /** Shown when the decision is `not_found`. */
  notFound?: string;
}

export interface MutationPlan<R> {
  /** Authorization checks, all of which must allow; evaluated inside the transaction. */
  checks: Check[];
  /** The audit line: action and `Type:id` of the main resource, and the organization it belongs to. */
  audit: { action: string; resource: string; orgId: string | null; reason?: string | null };
  summary: string;
  apply: (w: Writer, who: Resolved, now: string) => Promise<R>;
  /** The arguments to replay on the server when they differ from the input (filled-in times). */
  recordedArgs?: unknown;
}

export interface MutationDef<S extends z.ZodType, R> {
  name: string;
  args: S;
  /** Loads what the plan needs; throws AppError for missing rows or invalid states. */
  plan: (ctx: ServiceContext, args: z.output<S>, who: Resolved) => Promise<MutationPlan<R>>;
  /** Writes are refused while root views as another user: "view as" is for looking, not acting. */
  allowWhileImpersonating?: boolean;
}

export function defineMutation<S extends z.ZodType, R>(def: MutationDef<S, R>): MutationDef<S, R> {
  return def;
}

export function parseArgs<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // Refused alike on the workstation and on both server backends (PostgreSQL cannot store a NUL).
  if (!allStorable(input)) {
    throw invalid(
      'Please check the form: a field contains a character that cannot be saved (such as a NUL character). Remove it and try again.',
    );
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    throw invalid(describeIssues(parsed.error.issues), { issues });
  }
  return parsed.data;
}

export function ref(type: ResourceType, id: string): string {
  return formatRef({ type, id });
}

export async function runMutation<S extends z.ZodType, R>(
  ctx: ServiceContext,
  principal: Principal,
  def: MutationDef<S, R>,
  input: unknown,
): Promise<R> {
  const args = parseArgs(def.args, input);
  const who = await ctx.authz.resolve(principal);
  if (who.onBehalfOf && !def.allowWhileImpersonating) {
    throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
  }
  let denied: { check: Check; decision: Decision; audit: MutationPlan<R>['audit'] } | undefined;
  try {
    return await ctx.db.transaction(async () => {
      const now = nowIso(ctx.clock);
      const plan = await def.plan(ctx, args, who);
      for (const check of plan.checks) {
        const decision: Decision = check.target
          ? await ctx.authz.decideAs(who.actor, check.action, check.target, { checkRead: check.checkRead })
          : (check.checkRead ?? !NO_READ_CHECK.has(check.action))
            ? 'not_found'
            : 'forbidden';
        if (decision !== 'allow') {
          denied = { check, decision, audit: plan.audit };
          throw deniedError(check, decision);
        }
      }
      const w = newWriter(ctx);
      const result = await plan.apply(w, who, now);
      await appendAudit(ctx.db, {
        at: now,
        actor: who.real.id,
        on_behalf_of: who.onBehalfOf,
        action: plan.audit.action,
        resource: plan.audit.resource,
        decision: 'allow',
        reason: plan.audit.reason ?? null,
        org_id: plan.audit.orgId,
        ...(ctx.auditDetails ? { details: ctx.auditDetails } : {}),
      });
      await ctx.mutations.record({
        id: ctx.mutationId?.() ?? randomUUID(),
        name: def.name,
        args: plan.recordedArgs ?? args,
        principal: who,
        changes: w.changes,
        summary: plan.summary,
        at: now,
      });
      return result;
    });
  } catch (e) {
    if (denied) {
      await appendAudit(ctx.db, {
        at: nowIso(ctx.clock),
        actor: who.real.id,
        on_behalf_of: who.onBehalfOf,
        action: denied.audit.action,
        resource: denied.audit.resource,
        decision: denied.decision,
        reason: denied.check.action,
        org_id: denied.audit.orgId,
        ...(ctx.auditDetails ? { details: ctx.auditDetails } : {}),
      });
    }
    throw e;
  }
}

function deniedError(check: Check, decision: Decision): AppError {
  if (decision === 'not_found') return new AppError('not_found', check.notFound ?? 'That item was not found.');
  return new AppError('forbidden', check.forbidden);
}
