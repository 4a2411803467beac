/**
 * What a pure clinical rule answers when its input cannot be judged: a value, or the kind `invalid`
 * with a sentence that says what to correct (STYLE.md: errors are values). The rules never throw on
 * bad input, so a service can pass the sentence on and the scenario runner can print it.
 */
import type { z } from 'zod';

export type Checked<T> = { ok: true; value: T } | { ok: false; kind: 'invalid'; problem: string };

export const valid = <T>(value: T): Checked<T> => ({ ok: true, value });
export const refuse = <T = never>(problem: string): Checked<T> => ({ ok: false, kind: 'invalid', problem });

/**
 * zod's issues about a site configuration as sentences naming the setting by its path
 * ("critical_limits.potassium.above must be a number."), at most five.
 */
export function configProblem(name: string, issues: ReadonlyArray<z.core.$ZodIssue>): string {
  const sentences = issues.slice(0, 5).map((i) => {
    const where = [name, ...i.path.map(String)].join('.');
    const text = `${where}: ${i.message}`;
    return /[.!?]$/.test(text) ? text : `${text}.`;
  });
  return [...new Set(sentences)].join(' ');
}
