/** The audit log and the break-glass review list for admins and auditors of an organization. */
import type { AuditEvent, BreakGlass } from '../../domain/entities';
import { AppError } from '../../domain/errors';
import type { Actor } from '../../authz/actor';
import { appendAudit } from '../../store/audit';
import { withAuditNames, type AuditNames } from './auditNames';
import type { Principal, ServiceContext } from '../context';

export interface AuditPage {
  events: Array<AuditEvent & AuditNames>;
  next_before: number | null;
}

/**
 * Organization `read_audit` is for its admins (SPEC §3); auditors of the organization reach the same
 * view because they may read its AuditEvents. Either opens the audit views.
 */
async function mayReviewAudit(ctx: ServiceContext, actor: Actor, orgId: string): Promise<boolean> {
  if ((await ctx.authz.decideAs(actor, 'read_audit', { type: 'Organization', id: orgId })) === 'allow') return true;
  const any = await ctx.authz.listAs(actor, 'read', 'AuditEvent', {
    columns: 'm.seq',
    where: 'm.org_id = ?',
    params: [orgId],
    limit: 1,
  });
  return any.length > 0;
}

/** Reading the audit trail is itself audited, allowed or not (who looked at whose activity). */
export async function reviewOrRefuse(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  action: 'read_audit_log' | 'review_break_glass' | 'audit_report',
  refusal: string,
): Promise<Actor> {
  const who = await ctx.authz.resolve(principal);
  const allowed = await mayReviewAudit(ctx, who.actor, orgId);
  if (allowed || (await ctx.db.get('SELECT 1 FROM organizations WHERE id = ?', [orgId]))) {
    await appendAudit(ctx.db, {
      at: who.actor.now,
      actor: who.real.id,
      on_behalf_of: who.onBehalfOf,
      action,
      resource: `Organization:${orgId}`,
      decision: allowed ? 'allow' : 'forbidden',
      reason: null,
      org_id: orgId,
    });
  }
  if (!allowed) throw new AppError('forbidden', refusal);
  return who.actor;
}

export async function auditLog(
  ctx: ServiceContext,
  principal: Principal,
  opts: { orgId: string; before?: number | null; limit?: number; action?: string | null },
): Promise<AuditPage> {
  const actor = await reviewOrRefuse(
    ctx,
    principal,
    opts.orgId,
    'read_audit_log',
    'Only administrators and auditors of this organization may read its audit log.',
  );
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  const conds = ['m.org_id = ?'];
  const params: Array<string | number> = [opts.orgId];
  if (opts.before) {
    conds.push('m.seq < ?');
    params.push(opts.before);
  }
  if (opts.action) {
    conds.push('m.action = ?');
    params.push(opts.action);
  }
  const events = await ctx.authz.listAs<AuditEvent>(actor, 'read', 'AuditEvent', {
    where: conds.join(' AND '),
    params,
    orderBy: 'm.seq DESC',
    limit: limit + 1,
  });
  const page = events.slice(0, limit).map((e) => ({ ...e, seq: Number(e.seq) }));
  return { events: await withAuditNames(ctx.db, opts.orgId, page), next_before: events.length > limit ? page.at(-1)!.seq : null };
}

export type BreakGlassReviewItem = BreakGlass & {
  user_name: string | null;
  patient_name: string | null;
  patient_mrn: string | null;
  reads: number;
  active: boolean;
};

/** Every break-glass of the organization with the number of chart reads made under it. */
export async function breakGlassReview(
  ctx: ServiceContext,
  principal: Principal,
  opts: { orgId: string },
): Promise<BreakGlassReviewItem[]> {
  const actor = await reviewOrRefuse(
    ctx,
    principal,
    opts.orgId,
    'review_break_glass',
    'Only administrators and auditors of this organization may review emergency access.',
  );
  const rows = await ctx.db.all<Omit<BreakGlassReviewItem, 'active'> & { active: number }>(
    `SELECT g.*, u.name AS user_name, p.name AS patient_name, p.mrn AS patient_mrn,
            (SELECT COUNT(*) FROM audit_events e WHERE e.actor = g.user_id AND e.resource = 'Patient:' || g.patient_id
               AND e.reason = 'break_glass' AND e.at >= g.started_at AND e.at < g.expires_at) AS reads,
            CASE WHEN g.started_at <= ? AND ? < g.expires_at THEN 1 ELSE 0 END AS active
     FROM break_glass g JOIN patients p ON p.id = g.patient_id LEFT JOIN users u ON u.id = g.user_id
     WHERE p.org_id = ? ORDER BY g.started_at DESC LIMIT 500`,
    [actor.now, actor.now, opts.orgId],
  );
  return rows.map((r) => ({ ...r, reads: Number(r.reads), active: Number(r.active) === 1 }));
}
