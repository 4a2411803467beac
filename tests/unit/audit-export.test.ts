/**
 * Security round 3 (issue 20), finding 9: the audit report's files cannot carry a formula, a control
 * sequence or a look-alike name into a spreadsheet, terminal or SIEM, and its FHIR is valid R4
 * (docs/security.md, I9). Before: a cell starting with a line feed then `=` ran as a formula, BEL,
 * ESC, RTL overrides and zero-width characters passed through, and the FHIR export held recorded
 * times that were not instants, an empty identifier, an invalid code and `Patient/../../Observation/x`.
 */
import { describe, expect, it } from 'vitest';
import { toCsv, toFhirBundle, toText } from '../../src/services/auditExport';
import type { ReportRow } from '../../src/services/queries/auditReport';
import { fhirIssues } from '../helpers/fhir';

const row = (over: Partial<ReportRow>, seq: number): ReportRow => ({
  seq,
  id: `e-${seq}`,
  at: '2026-11-23T10:00:00.000Z',
  actor: 'u-nina',
  on_behalf_of: null,
  action: 'read',
  resource: 'Patient:p-a',
  decision: 'allow',
  reason: null,
  org_id: 'org-gh',
  details: null,
  origin: null,
  prev_hash: '0'.repeat(64),
  hash: seq.toString(16).padEnd(64, 'a'),
  protected_data: false,
  ...over,
});

/** What an attacker (or an unlucky user) can put into audited text. */
const HOSTILE: Array<Partial<ReportRow>> = [
  { reason: '\n=HYPERLINK("http://evil","x")', decision: 'forbidden' },
  { actor: ' =1+1' },
  { actor: '\t+cmd|/c calc' },
  { resource: '\u00a0-2+3' },
  { reason: '\uff1dSUM(A1)', decision: 'forbidden' },
  { reason: '@SUM(A1:A9)', action: 'break_glass' },
  { actor: 'ada\u202egnp.exe' },
  { actor: 'a\u200bda' },
  { reason: 'bell\x07 and esc\x1b[2K', decision: 'forbidden' },
  { actor: '' },
  { resource: 'Patient:../../Observation/x' },
  { resource: '' },
  { action: 'sign in  twice ', decision: 'forbidden' },
  { at: '2001-01-01 10:00' },
  { at: 'not a time' },
  { org_id: '' },
  { on_behalf_of: '', actor: 'root' },
];
const rows = HOSTILE.map((h, i) => row(h, i + 1));
// eslint-disable-next-line no-control-regex -- none of these may reach a spreadsheet, terminal or SIEM raw
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const FORMULA = /^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]/;

/** RFC 4180 cells of one line (no line breaks inside cells any more: they are escaped). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      out.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  out.push(cell);
  return out;
}

describe('the audit report as files', () => {
  it('CSV: one line per event, every control and bidi character escaped, no cell a formula', () => {
    const lines = toCsv(rows).split('\r\n').slice(1, -1);
    expect(lines).toHaveLength(rows.length);
    for (const line of lines) {
      expect(line).not.toMatch(RAW);
      for (const cell of cells(line)) expect(cell, line).not.toMatch(FORMULA);
    }
    // The line feed shows as \x0a: the cell starts with a backslash, which no spreadsheet runs.
    expect(lines[0]).toContain(`"\\x0a=HYPERLINK(""http://evil"",""x"")"`);
    expect(lines[1]).toContain(",' =1+1,");
    expect(lines[6]).toContain(',ada\\u202egnp.exe,');
    expect(lines[8]).toContain('bell\\x07 and esc\\x1b[2K');
  });

  it('text: the same escapes, and no field starts a formula', () => {
    const lines = toText(rows).split('\n');
    expect(lines).toHaveLength(rows.length);
    for (const line of lines) {
      expect(line).not.toMatch(RAW);
      for (const field of line.split('  ')) expect(field, line).not.toMatch(FORMULA);
    }
  });

  it('FHIR: the bundle and every AuditEvent are valid R4 (Medplum validator, official definitions)', () => {
    const bundle = toFhirBundle(rows, 'clinic-workstation central server', '2026-11-23T12:00:00.000Z');
    expect(fhirIssues(bundle)).toEqual([]);
    for (const e of bundle.entry as Array<{ resource: Record<string, unknown> }>) expect(fhirIssues(e.resource)).toEqual([]);
    const text = JSON.stringify(bundle);
    expect(text).not.toContain('Patient/..');
    expect(text).not.toMatch(/[\u202e\u200b]/);
    // A time that is not an instant keeps what was logged, beside a valid `recorded`.
    const odd = (bundle.entry as Array<{ resource: any }>)[13]!.resource;
    expect(odd.recorded).toBe('2001-01-01T10:00:00.000Z');
  });
});
