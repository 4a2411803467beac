/**
 * `npm run audit:report -- [DB] --from ISO --to ISO [--format csv|fhir|text] [--org ORG]
 *      [--filter field=value]… [--protected] [--sort field[:desc]] [--key KEY] [--out FILE]`
 * The audit report of ONC §170.315(d)(3) for a time range: CSV, or FHIR R4 AuditEvents (IHE BALP
 * "PatientRead" shape) for a hospital's SIEM. DB is the server's database (a file or postgres:// URL;
 * default DATABASE_URL, else SERVER_DB, else ./server-data/server.db) or a workstation file with --key.
 * Filters match a field exactly, or with * as a wildcard, or `-` for empty. CSV and text output are
 * escaped (control, bidirectional and invisible characters) and never start a cell with a formula.
 * Exit code: 0 written, 2 bad arguments or unreadable database.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { toCsv, toFhirBundle, toText } from '../services/auditExport';
import { auditReport, REPORT_FIELDS, type ReportField } from '../services/queries/auditReport';
import type { Db } from '../store/db';
import { openAuditDb, tableNames } from './auditVerify';
import { complain, say } from './terminalText';

const USAGE =
  'usage: npm run audit:report -- [database] --from 2026-11-01T00:00Z --to 2026-12-01T00:00Z [--format csv|fhir|text] [--org ORG] [--filter action=read] [--protected] [--sort at:desc] [--out FILE]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        org: { type: 'string' },
        filter: { type: 'string', multiple: true },
        protected: { type: 'boolean' },
        sort: { type: 'string' },
        key: { type: 'string' },
        out: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (e) {
    complain(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (!v.from || !v.to || parsed.positionals.length > 1 || !['csv', 'fhir', 'text'].includes(v.format!)) {
    complain(USAGE);
    return 2;
  }
  const filters: Partial<Record<ReportField, string>> = {};
  for (const f of v.filter ?? []) {
    const at = f.indexOf('=');
    const field = f.slice(0, at) as ReportField;
    if (at < 1 || !REPORT_FIELDS.includes(field)) {
      complain(`Unknown filter "${f}". Fields: ${REPORT_FIELDS.join(', ')}.`);
      return 2;
    }
    filters[field] = f.slice(at + 1);
  }
  const [sortField, sortDir] = (v.sort ?? 'at').split(':');
  if (!REPORT_FIELDS.includes(sortField as ReportField) || (sortDir && !['asc', 'desc'].includes(sortDir))) {
    complain(`Unknown sort "${v.sort}". Fields: ${REPORT_FIELDS.join(', ')}, then :asc or :desc.`);
    return 2;
  }
  const target =
    parsed.positionals[0] ?? process.env.DATABASE_URL ?? path.resolve(process.env.SERVER_DB ?? 'server-data/server.db');
  let db: Db;
  try {
    db = openAuditDb(target, v.key);
  } catch (e) {
    complain((e as Error).message);
    return 2;
  }
  try {
    if (!(await tableNames(db)).has('audit_events')) {
      complain(`${target} has no audit log.`);
      return 2;
    }
    let report;
    try {
      report = await auditReport(db, {
        from: v.from,
        to: v.to,
        org_id: v.org ?? null,
        filters,
        protected_only: v.protected ?? false,
        sort: { field: sortField as ReportField, dir: (sortDir ?? 'asc') as 'asc' | 'desc' },
        ...(v.limit ? { limit: Number(v.limit) } : {}),
      });
    } catch (e) {
      complain((e as Error).message);
      return 2;
    }
    const source = (await tableNames(db)).has('devices') ? 'clinic-workstation central server' : 'clinic-workstation workstation';
    const text =
      v.format === 'csv'
        ? toCsv(report.rows)
        : v.format === 'fhir'
          ? `${JSON.stringify(toFhirBundle(report.rows, source, new Date().toISOString()), null, 2)}\n`
          : toText(report.rows);
    // CSV and text are escaped field by field (src/services/auditExport.ts), FHIR by JSON and its own rules.
    if (v.out) writeFileSync(v.out, text);
    else if (v.format === 'text' || process.stdout.isTTY) for (const line of text.split('\n')) say(line);
    else process.stdout.write(text);
    complain(
      `${report.rows.length} event(s) from ${v.from} to ${v.to}${report.truncated ? ' (more exist: narrow the range or raise --limit)' : ''}.`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    complain((e as Error).message);
    process.exitCode = 2;
  },
);
