/**
 * MRN normalisation (issue 18 item 7): compared case-insensitively after NFKC; invisible and look-alike
 * characters refused with a sentence; the accepted alphabet is ASCII letters, digits and - . / _.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseMrn, sameMrn } from '../../src/domain/mrn';

const problem = (raw: string): string => {
  const r = normaliseMrn(raw);
  expect(r.ok, JSON.stringify(raw)).toBe(false);
  return r.ok ? '' : r.problem;
};

describe('medical record numbers', () => {
  it('are the same patient whatever the case: "stm-100013" is "STM-100013"', () => {
    expect(normaliseMrn('stm-100013')).toEqual({ ok: true, value: 'STM-100013' });
    expect(sameMrn('stm-100013', 'STM-100013')).toBe(true);
    expect(sameMrn('GH-0001', 'GH-0002')).toBe(false);
  });

  it('are read after NFKC: full-width forms, the Kelvin sign and ligatures become ASCII', () => {
    expect(normaliseMrn('ＧＨ－０００１')).toEqual({ ok: true, value: 'GH-0001' });
    expect(normaliseMrn('\u212a-12')).toEqual({ ok: true, value: 'K-12' });
    expect(normaliseMrn('\ufb01-9')).toEqual({ ok: true, value: 'FI-9' });
    expect(normaliseMrn('  GH-0001\u00a0')).toEqual({ ok: true, value: 'GH-0001' });
  });

  it('accept letters, digits and the separators - . / _ only', () => {
    expect(normaliseMrn('a.b/c_d-1')).toEqual({ ok: true, value: 'A.B/C_D-1' });
    expect(problem('GH 0001')).toBe(
      'The medical record number contains a space (U+0020). Type it again using only letters A–Z, digits and - . / _.',
    );
    expect(problem('GH#1')).toContain('"#" (U+0023)');
  });

  it('refuse invisible characters: zero-width, bidirectional controls, other format and control characters', () => {
    for (const ch of [
      '\u200b',
      '\u200c',
      '\u200d',
      '\u2060',
      '\ufeff',
      '\u202e',
      '\u2066',
      '\u061c',
      '\u00ad',
      '\u0007',
      '\t',
      '\u2028',
      '\ufe0f',
      '\u3164',
    ]) {
      expect(problem(`GH-${ch}0001`), `U+${ch.codePointAt(0)!.toString(16)}`).toMatch(
        /contains an invisible character \(U\+[0-9A-F]{4}\)|contains a space/,
      );
    }
    expect(problem('GH-\u200b0001')).toBe(
      'The medical record number contains an invisible character (U+200B). Type it again using only letters A–Z, digits and - . / _.',
    );
  });

  it('refuse letters of other scripts that look like Latin ones, naming the script', () => {
    expect(problem('\u0421TM-100013')).toBe(
      'The medical record number contains "С" (U+0421), a Cyrillic letter that can look like a Latin one. Type it again using only letters A–Z, digits and - . / _.',
    );
    expect(problem('GH-\u039f001')).toContain('a Greek letter that can look like a Latin one');
    expect(problem('GH-\u0555')).toContain('"Օ" (U+0555), an Armenian letter that can look like a Latin one');
    expect(problem('GH-\u4e00')).toContain('"一" (U+4E00), a letter outside A–Z');
  });

  it('refuse accented letters, combining accents, dashes other than the hyphen and digits of other scripts', () => {
    expect(problem('GH-É1')).toContain('"É" (U+00C9), an accented or special Latin letter');
    expect(problem('GH-E\u0301')).toContain('"É" (U+00C9)'); // NFKC composes it first
    expect(problem('GH-\u0131')).toContain('U+0131'); // dotless i: upper-cases to I, so refused before
    expect(problem('GH\u20130001')).toContain('a dash that is not the hyphen "-"');
    expect(problem('GH\u22120001')).toContain('a dash that is not the hyphen "-"');
    expect(problem('GH-\u0663')).toContain('a digit of another script');
    expect(problem('GH-1\u0338')).toMatch(/U\+2260|combining/);
  });

  it('refuse an empty or overlong number', () => {
    expect(problem('   ')).toBe('The medical record number is empty.');
    expect(problem('A'.repeat(101))).toBe('A medical record number has at most 100 characters.');
  });

  it('treat two MRNs as one only when both are acceptable', () => {
    expect(sameMrn('\u0421TM-1', 'STM-1')).toBe(false);
    expect(sameMrn('STM-1\u200b', 'STM-1')).toBe(false);
  });

  it('normalise idempotently and compare without case (property)', () => {
    const mrn = fc.stringMatching(/^[A-Za-z0-9._/-]{1,30}$/);
    fc.assert(
      fc.property(mrn, (m) => {
        const once = normaliseMrn(m);
        expect(once.ok).toBe(true);
        if (!once.ok) return;
        expect(normaliseMrn(once.value)).toEqual(once);
        expect(sameMrn(m.toLowerCase(), m.toUpperCase())).toBe(true);
      }),
    );
  });

  it('refuse any number holding a format or control character (property)', () => {
    const invisible = fc.constantFrom(
      '\u200b',
      '\u200e',
      '\u200f',
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0085',
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9]{1,10}$/), invisible, fc.nat(10), (m, ch, at) => {
        const i = Math.min(at, m.length);
        expect(normaliseMrn(m.slice(0, i) + ch + m.slice(i)).ok).toBe(false);
      }),
    );
  });
});
