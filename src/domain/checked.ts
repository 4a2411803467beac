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
    const where = [name, ...i.path.map(String)].filter(Boolean).join('.');
    const text = `${where}: ${words(i)}`;
    return /[.!?]$/.test(text) ? text : `${text}.`;
  });
  return [...new Set(sentences)].join(' ');
}

const A: Record<string, string> = {
  object: 'an object',
  record: 'an object',
  array: 'a list',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
};

/** zod's wording for the common cases in the words of a settings file; our own messages as they are. */
function words(i: z.core.$ZodIssue): string {
  switch (i.code) {
    case 'invalid_type':
      return `must be ${A[i.expected] ?? i.expected}`;
    case 'unrecognized_keys':
      return `has no setting ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_key':
      return i.issues[0] ? words(i.issues[0]) : 'is not a valid name';
    default:
      return i.message;
  }
}
