/**
 * Medicine scenario cases (issue 19, like SPEC §5's NEWS2 case: no actor, no fixture, no database):
 *   - `dose`: the five rights (src/domain/fiveRights.ts) and the witness rule (doseWitness.ts) on one
 *     dose; `expect` names the checks' statuses, the outcome, the bypassed scans and whether the dose
 *     may be given once the case's reasons and witness are in;
 *   - `double_dose`: the possible double doses among an order's administrations (doubleDose.ts);
 *     `expect.flagged` lists the administrations marked, in time order.
 * The rules check their own input, so a bad case is answered with the sentence a nurse would see.
 */
import { z } from 'zod';
import { possibleDoubleDoses } from '../domain/doubleDose';
import { witnessProblem } from '../domain/doseWitness';
import { blockingChecks, checkFiveRights, RIGHTS, type Right } from '../domain/fiveRights';

const Status = z.enum(['ok', 'needs_reason', 'refused']);
const Scan = z.object({ value: z.string().nullish(), manual: z.boolean().optional() }).strict();
const Given = z
  .object({
    id: z.string().optional(),
    status: z.enum(['given', 'held', 'refused', 'not_given']),
    scheduled_for: z.string().nullish(),
    at: z.string(),
  })
  .strict();

export const DoseCase = z
  .object({
    dose: z
      .object({
        order: z
          .object({
            medication: z.string().min(1),
            product_code: z.string(),
            dose: z.number(),
            unit: z.string(),
            route: z.string(),
            prn: z.boolean().optional(),
            min_interval_hours: z.number().nullish(),
            controlled: z.boolean().optional(),
            allergy_override_reason: z.string().nullish(),
          })
          .strict(),
        chart_mrn: z.string(),
        wristband: Scan.default({}),
        product: Scan.default({}),
        dose: z.number(),
        unit: z.string().nullish(),
        route: z.string(),
        at: z.string(),
        scheduled_for: z.string().nullish(),
        earlier: z.array(Given).default([]),
        allergies: z
          .array(
            z
              .object({
                substance: z.string(),
                status: z.enum(['active', 'inactive', 'entered_in_error']).default('active'),
                severity: z.enum(['mild', 'moderate', 'severe', 'life_threatening']).nullish(),
                reaction: z.string().nullish(),
              })
              .strict(),
          )
          .default([]),
        window_minutes: z.number().optional(),
        time_zone: z.string().nullish(),
        /** The nurse's reasons for checks needing one. */
        reasons: z.partialRecord(z.enum(RIGHTS), z.string()).default({}),
        /** Who gives it and who witnessed it (controlled medicines). */
        nurse: z.string().default('nurse'),
        witness: z.string().nullish(),
      })
      .strict(),
    expect: z
      .object({
        checks: z.partialRecord(z.enum(RIGHTS), Status).optional(),
        outcome: Status.optional(),
        bypassed: z.array(z.enum(RIGHTS)).optional(),
        may_give: z.boolean().optional(),
      })
      .strict()
      .refine((e) => Object.keys(e).length > 0, 'must name at least one of checks, outcome, bypassed, may_give'),
    why: z.string().optional(),
  })
  .strict();

export const DoubleDoseCase = z
  .object({
    double_dose: z
      .object({
        order: z.object({ prn: z.boolean().optional(), min_interval_hours: z.number().nullish() }).strict(),
        administrations: z.array(Given.extend({ id: z.string().min(1) })),
      })
      .strict(),
    expect: z.object({ flagged: z.array(z.string()) }).strict(),
    why: z.string().optional(),
  })
  .strict();

/** A case is a dose (double-dose) case when it has a `dose` (`double_dose`) member. */
export const isDoseCase = (raw: unknown): boolean => raw !== null && typeof raw === 'object' && 'dose' in raw;
export const isDoubleDoseCase = (raw: unknown): boolean => raw !== null && typeof raw === 'object' && 'double_dose' in raw;

export interface MedicineCaseResult {
  ok: boolean;
  line: string;
}

const issuesOf = (e: z.ZodError): string =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(case)'}: ${i.message}`)
    .join('; ');

export function runDoseCase(where: string, raw: unknown): MedicineCaseResult {
  const parsed = DoseCase.safeParse(raw);
  if (!parsed.success) return { ok: false, line: `FAIL ${where}: bad dose case: ${issuesOf(parsed.error)}` };
  const { dose: d, expect: e, why: w } = parsed.data;
  const why = w ? ` (${w})` : '';
  const got = checkFiveRights({ ...d, order: { ...d.order, prn: d.order.prn ?? false } });
  if (!got.ok) return { ok: false, line: `FAIL ${where}: bad dose case: ${got.problem}${why}` };
  const statuses = Object.fromEntries(got.value.checks.map((c) => [c.right, c.status])) as Record<Right, string>;
  const blocking = blockingChecks(got.value, d.reasons).map((c) => c.message);
  const witness = witnessProblem(d.order, d.nurse, d.witness);
  if (witness) blocking.push(witness);
  const diffs: string[] = [];
  for (const [right, want] of Object.entries(e.checks ?? {}))
    if (statuses[right as Right] !== want) diffs.push(`${right}: expected ${want}, got ${statuses[right as Right]}`);
  if (e.outcome && e.outcome !== got.value.outcome) diffs.push(`outcome: expected ${e.outcome}, got ${got.value.outcome}`);
  if (e.bypassed && JSON.stringify([...e.bypassed].sort()) !== JSON.stringify([...got.value.bypassed].sort()))
    diffs.push(`bypassed: expected [${e.bypassed.join(', ')}], got [${got.value.bypassed.join(', ')}]`);
  if (e.may_give !== undefined && e.may_give !== (blocking.length === 0))
    diffs.push(
      e.may_give ? `may_give: expected true, but: ${blocking.join(' ')}` : 'may_give: expected false, but nothing stops it',
    );
  if (diffs.length === 0) return { ok: true, line: '' };
  return { ok: false, line: `FAIL ${where}: dose of ${d.order.medication} at ${d.at}: ${diffs.join('; ')}${why}` };
}

export function runDoubleDoseCase(where: string, raw: unknown): MedicineCaseResult {
  const parsed = DoubleDoseCase.safeParse(raw);
  if (!parsed.success) return { ok: false, line: `FAIL ${where}: bad double-dose case: ${issuesOf(parsed.error)}` };
  const { double_dose: d, expect: e, why: w } = parsed.data;
  const got = possibleDoubleDoses(d.order, d.administrations).map((x) => x.administration_id);
  if (JSON.stringify(got) === JSON.stringify(e.flagged)) return { ok: true, line: '' };
  return {
    ok: false,
    line: `FAIL ${where}: double doses: expected [${e.flagged.join(', ')}], got [${got.join(', ')}]${w ? ` (${w})` : ''}`,
  };
}
