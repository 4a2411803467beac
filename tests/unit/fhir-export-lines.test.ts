/**
 * The export's own ways of making and writing NDJSON (issue 22): Observation lines assembled from
 * pieces must be exactly the mapping's `JSON.stringify`, and fall back to the mapping when it says
 * anything the pieces do not; files split at the size and keep every byte of every line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import type { MapContext, ResourceMapping, Row } from '../../src/server/fhir/mapping';
import { observationMapping } from '../../src/server/fhir/resources/observation';
import { lineMaker } from '../../src/server/fhir/bulk/exportLines';
import { NdjsonFiles, type ExportOutput } from '../../src/server/fhir/bulk/ndjsonFiles';
import { inPatientBatches } from '../../src/server/fhir/bulk/exportJob';

const ctx = {} as MapContext;

/** Observation rows of many shapes: vitals and labs, numbers and text, with and without encounter, labels, restricted. */
function rows(n: number): Row[] {
  const codes: Array<[string, string, string, string]> = [
    ['vitals', 'heart_rate', '88', '/min'],
    ['vitals', 'temperature', '37.25', 'Cel'],
    ['vitals', 'consciousness', 'A', ''],
    ['lab', 'glucose', '5.4', 'mmol/L'],
    ['lab', 'hiv_viral_load', '<20', 'copies/mL'],
    ['imaging', 'chest_xray', 'No acute findings — “clear”', ''],
    ['lab', 'sodium', '-0', 'weird unit'],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [category, code, value, unit] = codes[i % codes.length]!;
    return {
      id: `obs-${i}`,
      patient_id: `pat-${i % 13}`,
      appointment_id: i % 3 === 0 ? `apt-${i}` : null,
      category,
      code,
      value: i % 5 === 0 && value === '88' ? String(60 + (i % 40)) : value,
      unit,
      recorded_by: i % 11 === 0 ? 'user-"quoted"' : `user-${i % 7}`,
      recorded_at: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000Z`,
      sensitivity: i % 4 === 0 ? 'hiv' : i % 4 === 1 ? 'psychiatry' : null,
      set_id: i % 6 === 0 ? `set-${i}` : null,
      patient_restricted: i % 9 === 0 ? 1 : 0,
    };
  });
}

const mappingLines = async (m: ResourceMapping, rs: Row[]) => (await m.toFhir(rs, ctx)).map((r) => JSON.stringify(r));

describe('export lines', () => {
  it("assembles every Observation line exactly as the mapping's JSON, over many shapes and statements", async () => {
    const all = rows(5000);
    const maker = lineMaker(observationMapping, ctx);
    const made: string[] = [];
    for (let i = 0; i < all.length; i += 700) made.push(...(await maker.lines(all.slice(i, i + 700))));
    expect(made).toEqual(await mappingLines(observationMapping, all));
  });

  it('takes the mapping for the rest of the export once the mapping says something the pieces do not', async () => {
    // A changed mapping: a note on one patient's observations. It varies within a shape, so only the
    // sampled checks can find it: from the statement where one does, every line is the mapping's.
    const changed: ResourceMapping = {
      ...observationMapping,
      toFhir: async (rs) =>
        (await observationMapping.toFhir(rs, ctx)).map((r: any) =>
          r.subject.reference === 'Patient/pat-3' ? ({ ...r, note: [{ text: 'seen' }] } as Resource) : r,
        ),
    };
    const all = rows(6000);
    const maker = lineMaker(changed, ctx);
    const made: string[] = [];
    for (let i = 0; i < all.length; i += 1000) made.push(...(await maker.lines(all.slice(i, i + 1000))));
    const expected = await mappingLines(changed, all);
    expect(made.slice(2000)).toEqual(expected.slice(2000));

    // A new element on every resource: the first row of the first shape already differs.
    const noted: ResourceMapping = {
      ...observationMapping,
      toFhir: async (rs) => (await observationMapping.toFhir(rs, ctx)).map((r) => ({ ...r, language: 'en' }) as Resource),
    };
    const some = rows(300);
    expect(await lineMaker(noted, ctx).lines(some)).toEqual(await mappingLines(noted, some));
  });

  it('takes the mapping for rows with a column the pieces do not know', async () => {
    const some = rows(50).map((r) => ({ ...r, interpretation: 'H' }));
    const seen: Row[][] = [];
    const spy: ResourceMapping = {
      ...observationMapping,
      toFhir: async (rs) => {
        seen.push(rs);
        return observationMapping.toFhir(rs, ctx);
      },
    };
    expect(await lineMaker(spy, ctx).lines(some)).toEqual(await mappingLines(observationMapping, some));
    expect(seen).toEqual([some]);
  });
});

describe('NDJSON files', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts a new file before a line would pass the size, keeps multi-byte text and lines larger than the buffer', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cw-ndjson-'));
    const outputs: ExportOutput[] = [];
    const files = new NdjsonFiles(dir, 'Observation', 1000, (o) => outputs.push(o));
    const lines = [
      ...Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, text: 'Übelkeit — “ça va” 🩺'.repeat(1 + (i % 3)) })),
      JSON.stringify({ huge: 'é'.repeat(3_000_000) }),
      ...Array.from({ length: 10 }, (_, i) => JSON.stringify({ after: i })),
    ];
    for (const l of lines) files.add(l);
    files.close();
    expect(readdirSync(dir).sort()).toEqual(outputs.map((o) => o.file).sort());
    const back: string[] = [];
    for (const o of outputs) {
      const text = readFileSync(path.join(dir, o.file), 'utf8');
      const got = text.slice(0, -1).split('\n');
      expect(got.length).toBe(o.count);
      if (got.length > 1) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
      back.push(...got);
    }
    expect(back).toEqual(lines);
    expect(outputs.length).toBeGreaterThan(5);
  });
});

describe('patient batches', () => {
  it('reads every patient exactly once, in order, in batches that grow where rows are few and shrink where they are many', async () => {
    const patients = Array.from({ length: 20_000 }, (_, i) => `p${String(i).padStart(6, '0')}`);
    // Rows per patient: none for the first quarter, then 40 each.
    const rowsOf = (id: string) => (Number(id.slice(1)) < 5000 ? 0 : 40);
    const batches: string[][] = [];
    const done = await inPatientBatches(patients, 5000, async (ids) => {
      batches.push(ids);
      return ids.reduce((n, id) => n + rowsOf(id), 0);
    });
    expect(done).toBe(true);
    expect(batches.flat()).toEqual(patients);
    expect(Math.max(...batches.slice(0, 3).map((b) => b.length))).toBe(2000);
    const last = batches.at(-2)!;
    expect(last.length * 40).toBeLessThanOrEqual(5000 * 1.2);
    expect(last.length * 40).toBeGreaterThanOrEqual(5000 * 0.8);

    const stopped: string[][] = [];
    expect(await inPatientBatches(patients, 5000, async (ids) => (stopped.push(ids), stopped.length === 2 ? null : 1))).toBe(
      false,
    );
    expect(stopped.length).toBe(2);
  });
});
