/**
 * Rows to NDJSON lines for an export (issue 22). Every type goes through its mapping
 * (resources/*.ts) and `JSON.stringify`, except Observation — three quarters of an organization's
 * resources — whose lines are assembled from pieces the mapping itself produced:
 *
 * Rows of one *shape* (category, code, unit, label, restricted patient, with or without encounter,
 * set and numeric value) differ only in their id, patient, encounter, time, recorder and value, so the
 * rest of the line (category, code, meta, the quantity's unit) is taken once per shape from the
 * mapping's own resource for the first such row. Each shape's first row, and every `CHECK_EVERY`th
 * row, is compared with the mapping's line before a statement's lines are used; on any difference (a
 * mapping changed, a column added) the type falls back to the mapping for the rest of the export.
 * tests/integration/fhir-export.test.ts compares every exported line with the read route's.
 */
import type { Observation } from '@medplum/fhirtypes';
import type { MapContext, ResourceMapping, Row } from '../mapping';

/** One sampled row in this many is checked against the mapping even within a known shape. */
const CHECK_EVERY = 101;

/** The columns the Observation pieces account for: a row with any other column takes the mapping. */
const OBSERVATION_COLUMNS =
  'id,patient_id,appointment_id,category,code,value,unit,recorded_by,recorded_at,sensitivity,set_id,patient_restricted';

/** The mapping's own test for a value that becomes a quantity (resources/observation.ts). */
const NUMBER = /^-?\d+(\.\d+)?$/;

interface Pieces {
  /** From after the id up to the subject's reference: `,"meta":…,"status":…,"category":…,"code":…,"subject":{"reference":`. */
  head: string;
  /** After the value: the quantity's other fields and the closing braces. */
  quantityTail: string;
}

const q = JSON.stringify;

/** Lines for rows of any type, each one resource. */
export interface LineMaker {
  lines(rows: Row[]): Promise<string[]>;
}

export function lineMaker(mapping: ResourceMapping, ctx: MapContext): LineMaker {
  const slow = async (rows: Row[]): Promise<string[]> => (await mapping.toFhir(rows, ctx)).map((r) => q(r));
  if (mapping.fhirType !== 'Observation') return { lines: slow };
  return new ObservationLines(slow);
}

class ObservationLines implements LineMaker {
  private readonly shapes = new Map<string, Pieces>();
  private fallback = false;
  private seen = 0;

  constructor(private readonly slow: (rows: Row[]) => Promise<string[]>) {}

  async lines(rows: Row[]): Promise<string[]> {
    if (this.fallback || rows.length === 0 || Object.keys(rows[0]!).join(',') !== OBSERVATION_COLUMNS) return this.slow(rows);
    const out = new Array<string>(rows.length);
    const checks: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const key = shapeOf(r);
      let pieces = this.shapes.get(key);
      if (!pieces) {
        const made = await this.piecesFrom(r);
        if (!made) return this.giveUp(rows);
        this.shapes.set(key, (pieces = made));
        checks.push(i);
      } else if (++this.seen % CHECK_EVERY === 0) checks.push(i);
      out[i] = line(r, pieces);
    }
    const expected = await this.slow(checks.map((i) => rows[i]!));
    for (let k = 0; k < checks.length; k++) if (out[checks[k]!] !== expected[k]) return this.giveUp(rows);
    return out;
  }

  private giveUp(rows: Row[]): Promise<string[]> {
    this.fallback = true;
    return this.slow(rows);
  }

  /** The fixed pieces of a shape, cut from the mapping's resource for one of its rows (null: not of the expected form). */
  private async piecesFrom(r: Row): Promise<Pieces | null> {
    const [json] = await this.slow([r]);
    const res = JSON.parse(json!) as Observation;
    const { resourceType, id, subject, encounter, effectiveDateTime, performer, valueQuantity, valueString, ...fixed } = res;
    if (resourceType !== 'Observation' || id !== r.id || !subject || effectiveDateTime === undefined || !performer) return null;
    let quantityTail = '';
    if (valueQuantity) {
      const { value, ...rest } = valueQuantity;
      if (value === undefined) return null;
      const tail = q(rest);
      quantityTail = tail === '{}' ? '}' : `,${tail.slice(1)}`;
    } else if (valueString === undefined) return null;
    const fixedJson = q(fixed);
    // `fixed` holds meta, status, category and code in the mapping's order; anything else is a new element.
    return { head: fixedJson === '{}' ? '' : `,${fixedJson.slice(1, -1)}`, quantityTail };
  }
}

function shapeOf(r: Row): string {
  const v = r.value as string;
  return `${r.category as string}\u0000${r.code as string}\u0000${r.unit as string}\u0000${String(r.sensitivity)}\u0000${String(
    r.patient_restricted,
  )}\u0000${r.appointment_id ? 1 : 0}\u0000${r.set_id ? 1 : 0}\u0000${NUMBER.test(v) ? 1 : 0}`;
}

function line(r: Row, p: Pieces): string {
  const v = r.value as string;
  const value = p.quantityTail === '' ? `"valueString":${q(v)}` : `"valueQuantity":{"value":${q(Number(v))}${p.quantityTail}`;
  const encounter = !r.appointment_id ? '' : `,"encounter":{"reference":${q(`Encounter/${r.appointment_id as string}`)}}`;
  return `{"resourceType":"Observation","id":${q(r.id)}${p.head},"subject":{"reference":${q(`Patient/${r.patient_id as string}`)}}${encounter},"effectiveDateTime":${q(r.recorded_at)},"performer":[{"reference":${q(`Practitioner/${r.recorded_by as string}`)}}],${value}}`;
}
