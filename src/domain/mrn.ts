/**
 * Medical record numbers as registration, break-glass lookup and the wristband check compare them
 * (SPEC §7b, issue 18 item 7): "stm-100013" and "STM-100013" are one patient, and an MRN that only
 * looks like another one is refused rather than stored beside it.
 *
 * The rule: Unicode NFKC first (full-width "ＧＨ－０００１" and the Kelvin sign "K" become plain
 * ASCII), then outer spaces trimmed, then every character must be in the accepted alphabet:
 *   ASCII letters A–Z and a–z (compared without case), digits 0–9, and the separators - . / _
 * Anything else is refused with a sentence naming it: invisible characters (zero-width spaces and
 * joiners, bidirectional controls, other format and control characters, inner spaces), letters of other
 * scripts that look like Latin ones (Cyrillic "С", Greek "Ο"), dashes other than the hyphen-minus, and
 * other symbols. The canonical form is upper case; two MRNs are the same when their canonical forms are.
 */
import { type Checked, refuse, valid } from './checked';

export const MRN_MAX_LENGTH = 100;
const ALLOWED = /^[A-Za-z0-9._/-]$/;

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** What a refused character is, in words a registration clerk can act on. */
function describe(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const code = hex(cp);
  if (
    /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}]/u.test(ch) ||
    /[\u180e\u3164\uffa0\u115f\u1160]/u.test(ch) ||
    /\p{Variation_Selector}/u.test(ch)
  ) {
    return `an invisible character (${code})`;
  }
  if (/\p{White_Space}/u.test(ch)) return `a space (${code})`;
  if (/\p{M}/u.test(ch)) return `a combining accent (${code})`;
  if (/\p{L}/u.test(ch)) {
    const script = ['Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Coptic', 'Latin'].find((s) =>
      new RegExp(`\\p{Script=${s}}`, 'u').test(ch),
    );
    if (script === 'Latin') return `"${ch}" (${code}), an accented or special Latin letter`;
    if (!script) return `"${ch}" (${code}), a letter outside A–Z`;
    return `"${ch}" (${code}), ${/^[AEIOU]/.test(script) ? 'an' : 'a'} ${script} letter that can look like a Latin one`;
  }
  if (/\p{Pd}/u.test(ch) || cp === 0x2212) return `"${ch}" (${code}), a dash that is not the hyphen "-"`;
  if (/\p{N}/u.test(ch)) return `"${ch}" (${code}), a digit of another script`;
  return `"${ch}" (${code})`;
}

/**
 * The canonical form of an MRN (NFKC, trimmed, upper case), or a sentence saying which character is
 * refused and why. Used on registration, on every lookup, and on a scanned wristband.
 */
export function normaliseMrn(raw: string): Checked<string> {
  const s = raw.normalize('NFKC').trim();
  if (s.length === 0) return refuse('The medical record number is empty.');
  if (s.length > MRN_MAX_LENGTH) return refuse(`A medical record number has at most ${MRN_MAX_LENGTH} characters.`);
  const bad = [...s].filter((ch) => !ALLOWED.test(ch));
  if (bad.length) {
    const what = [...new Set(bad)].slice(0, 3).map(describe).join('; ');
    return refuse(`The medical record number contains ${what}. Type it again using only letters A–Z, digits and - . / _.`);
  }
  return valid(s.toUpperCase());
}

/** Whether two MRNs name the same record; false when either is not an acceptable MRN. */
export function sameMrn(a: string, b: string): boolean {
  const x = normaliseMrn(a);
  const y = normaliseMrn(b);
  return x.ok && y.ok && x.value === y.value;
}
