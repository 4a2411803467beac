/**
 * A NEWS2 scenario case (SPEC §5): score the set with the rule the workstation and the server use and
 * compare every field of the answer. No actor, no fixture, no database.
 */
import { computeNews2, type News2Input, type News2Result } from '../domain/news2';
import { News2Case } from './format';

export interface News2CaseResult {
  ok: boolean;
  line: string;
}

/** JSON with object keys sorted, so `scores` compares regardless of the order it was written in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );

const FIELDS = ['total', 'scores', 'risk', 'monitoring_minutes', 'missing', 'not_applicable'] as const;

export function runNews2Case(where: string, raw: unknown): News2CaseResult {
  const parsed = News2Case.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(case)'}: ${i.message}`)
      .join('; ');
    return { ok: false, line: `FAIL ${where}: bad NEWS2 case: ${issues}` };
  }
  const c = parsed.data;
  const why = c.why ? ` (${c.why})` : '';
  const scale = c.spo2_scale ?? 1;
  const got = computeNews2(c.news2 as News2Input, { age: c.age, spo2_scale: scale });
  if (!got.ok) return { ok: false, line: `FAIL ${where}: bad NEWS2 case: ${got.problem}${why}` };
  const diffs = FIELDS.filter((f) => canonical(got.value[f]) !== canonical(c.expect[f as keyof News2Result])).map(
    (f) => `${f}: expected ${canonical(c.expect[f])}, got ${canonical(got.value[f])}`,
  );
  if (diffs.length === 0) return { ok: true, line: '' };
  return {
    ok: false,
    line: `FAIL ${where}: NEWS2 of ${canonical(c.news2)} at age ${c.age}, scale ${scale}: ${diffs.join('; ')}${why}`,
  };
}
