/**
 * The audit report (ONC §170.315(d)(3)): the events of a time range, filterable and sortable by every
 * field, for the UI and `npm run audit:report` (docs/security.md, T6). On a workstation it covers
 * that workstation's log; on the server, the whole organization's (the server's own events and every
 * workstation's, which arrive in its chain with their origin).
 */
import { z } from 'zod';
import type { AuditEvent } from '../../domain/entities';
import { AppError } from '../../domain/errors';
import type { Db, SqlValue } from '../../store/db';
import type { Principal, ServiceContext } from '../context';
import { reviewOrRefuse } from './auditLog';
import { withAuditNames, type AuditNames } from './auditNames';

export const REPORT_FIELDS = [
  'seq',
  'at',
  'actor',
  'on_behalf_of',
  'action',
  'resource',
  'decision',
  'reason',
  'org_id',
  'origin',
  'details',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

export const ReportQuery = z
  .object({
    from: z.string().datetime({ offset: true }),
    to: z.string().datetime({ offset: true }),
    org_id: z.string().max(200).nullish(),
    /** With `org_id`: also the events that belong to no organization (starts, unknown sign-ins). */
    include_unscoped: z.boolean().default(false),
    /** Per field: exact value, or a pattern with `*` for any text; `-` matches an empty field. */
    filters: z.partialRecord(z.enum(REPORT_FIELDS), z.string().max(200)).default({}),
    /** Only events that record reading specially protected data (SPEC §3a). */
    protected_only: z.boolean().default(false),
    sort: z
      .object({ field: z.enum(REPORT_FIELDS), dir: z.enum(['asc', 'desc']).default('asc') })
      .default({ field: 'at', dir: 'asc' }),
    limit: z.number().int().min(1).max(100_000).default(10_000),
  })
  .strict()
  .refine((q) => new Date(q.from) < new Date(q.to), 'the end of the range must be after its start');
export type ReportQuery = z.input<typeof ReportQuery>;

export interface ReportRow extends AuditEvent {
  protected_data: boolean;
}

const like = (v: string): string => v.replace(/[\\%_]/g, (m) => `\\${m}`).replace(/\*/g, '%');

export async function auditReport(db: Db, input: ReportQuery): Promise<{ rows: ReportRow[]; truncated: boolean }> {
  const parsed = ReportQuery.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      'invalid',
      `Invalid report: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'range'}: ${i.message}`).join('; ')}`,
    );
  const q = parsed.data;
  const where: string[] = ['at >= ?', 'at < ?'];
  const params: SqlValue[] = [new Date(q.from).toISOString(), new Date(q.to).toISOString()];
  if (q.org_id) {
    where.push(q.include_unscoped ? '(org_id = ? OR org_id IS NULL)' : 'org_id = ?');
    params.push(q.org_id);
  }
  for (const [field, value] of Object.entries(q.filters) as Array<[ReportField, string]>) {
    const col = field === 'seq' ? 'CAST(seq AS TEXT)' : field;
    if (value === '-') where.push(`(${col} IS NULL OR ${col} = '')`);
    else if (value.includes('*')) {
      where.push(`${col} LIKE ? ESCAPE '\\'`);
      params.push(like(value));
    } else {
      where.push(`${col} = ?`);
      params.push(value);
    }
  }
  if (q.protected_only) where.push(`details LIKE '%"protected"%'`);
  const rows = await db.all<AuditEvent>(
    `SELECT seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, details, origin, prev_hash, hash FROM audit_events
     WHERE ${where.join(' AND ')} ORDER BY ${q.sort.field} ${q.sort.dir === 'desc' ? 'DESC' : 'ASC'}, seq ${q.sort.dir === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`,
    [...params, q.limit + 1],
  );
  const out = rows.slice(0, q.limit).map((r) => ({ ...r, seq: Number(r.seq), protected_data: protectedRead(r.details ?? null) }));
  return { rows: out, truncated: rows.length > q.limit };
}

function protectedRead(details: string | null): boolean {
  if (!details) return false;
  try {
    return Boolean((JSON.parse(details) as { protected?: unknown }).protected);
  } catch {
    return false;
  }
}

/**
 * The report in the workstation's audit view: administrators and auditors of the organization, who
 * may read its audit log; running it is itself audited.
 */
export async function auditReportFor(
  ctx: ServiceContext,
  principal: Principal,
  input: Omit<ReportQuery, 'org_id'> & { org_id: string },
): Promise<{ rows: Array<ReportRow & AuditNames>; truncated: boolean }> {
  await reviewOrRefuse(
    ctx,
    principal,
    input.org_id,
    'audit_report',
    'Only administrators and auditors of this organization may run its audit report.',
  );
  const report = await auditReport(ctx.db, { ...input, include_unscoped: true });
  // Names, as the audit log shows them, for the people reading it on screen (the export keeps ids).
  return { ...report, rows: await withAuditNames(ctx.db, input.org_id, report.rows) };
}
