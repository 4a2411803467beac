/** Allergy matching (SPEC §7b, issue 19): by name, by the site's class map, sensibly by words. */
import { describe, expect, it } from 'vitest';
import {
  allergyClassMap,
  allergyMatches,
  DEFAULT_CLASS_MAP,
  foldName,
  type AllergyLike,
  type AllergyClassMap,
} from '../../src/domain/allergyMatch';

const allergy = (substance: string, extra: Partial<AllergyLike> = {}): AllergyLike => ({
  id: `alg-${substance}`,
  substance,
  status: 'active',
  ...extra,
});
const matches = (medication: string, substance: string, classes?: AllergyClassMap): boolean =>
  allergyMatches(medication, [allergy(substance)], classes).length > 0;

describe('allergy matching', () => {
  it('matches a medicine whose name contains the substance, whatever the case and accents', () => {
    expect(matches('Morphine sulfate', 'morphine')).toBe(true);
    expect(matches('CODEINE PHOSPHATE 30 mg', 'Codeine')).toBe(true);
    expect(matches('Métamizole', 'metamizole')).toBe(true);
    expect(matches('Paracetamol', 'Penicillin')).toBe(false);
  });

  it('matches compound drug names that end or start with a substance of five letters or more', () => {
    expect(matches('Benzylpenicillin', 'Penicillin')).toBe(true);
    expect(matches('Dihydrocodeine', 'codeine')).toBe(true);
    expect(matches('Pénicilline V', 'penicillin')).toBe(true);
  });

  it('matches short substances as whole words only: iron is not in spironolactone', () => {
    expect(matches('Spironolactone', 'Iron')).toBe(false);
    expect(matches('Ferrous sulfate (iron)', 'Iron')).toBe(true);
    expect(matches('Co-amoxiclav', 'co-amoxiclav')).toBe(true);
  });

  it('matches on any significant word of a longer substance, never on a salt or a form alone', () => {
    expect(matches('Amoxicillin', 'amoxicillin clavulanate')).toBe(true);
    expect(matches('Valproate', 'Sodium valproate')).toBe(true);
    expect(matches('Sodium chloride 0.9%', 'Sodium valproate')).toBe(false);
    expect(matches('Calcium gluconate', 'Chlorhexidine gluconate')).toBe(false);
    expect(matches('Paracetamol tablets', 'Ibuprofen tablets')).toBe(false);
    expect(matches('Flucloxacillin', 'Penicillin antibiotics')).toBe(true);
  });

  it('matches through the default class map: penicillin → amoxicillin, co-amoxiclav, flucloxacillin …', () => {
    for (const m of [
      'Amoxicillin',
      'Ampicillin',
      'Flucloxacillin',
      'Phenoxymethylpenicillin',
      'Piperacillin with tazobactam',
      'Co-Amoxiclav 625 mg',
      'Augmentin',
    ]) {
      expect(matches(m, 'Penicillin'), m).toBe(true);
    }
    expect(matches('Ceftriaxone', 'Cephalosporins')).toBe(true);
    expect(matches('Co-trimoxazole', 'Sulfonamide')).toBe(true);
    expect(matches('Ibuprofen', 'NSAIDs')).toBe(true);
    expect(matches('Clarithromycin', 'Penicillin')).toBe(false);
    expect(matches('Paracetamol', 'NSAIDs')).toBe(false);
  });

  it('ignores inactive allergies and allergies entered in error', () => {
    expect(
      allergyMatches('Amoxicillin', [
        allergy('Penicillin', { status: 'inactive' }),
        allergy('Penicillin', { status: 'entered_in_error' }),
      ]),
    ).toEqual([]);
  });

  it('says which allergy matched and why, in a sentence', () => {
    expect(
      allergyMatches('Amoxicillin', [
        allergy('Latex'),
        allergy('Penicillin', { reaction: 'Anaphylaxis', severity: 'life_threatening' }),
      ]),
    ).toEqual([
      {
        allergy_id: 'alg-Penicillin',
        substance: 'Penicillin',
        severity: 'life_threatening',
        via: 'class',
        matched: 'amoxicillin',
        message:
          'Amoxicillin is listed under Penicillin (as amoxicillin): the patient has an active allergy to Penicillin (anaphylaxis, life-threatening).',
      },
    ]);
    expect(allergyMatches('Codeine phosphate', [allergy('Codeine', { severity: 'moderate' })])[0]!.message).toBe(
      'Codeine phosphate contains Codeine: the patient has an active allergy to Codeine (moderate).',
    );
  });

  it('folds names to words', () => {
    expect(foldName('  Co-Amoxiclav 625mg ')).toBe('co amoxiclav 625mg');
    expect(foldName('Pénicilline/Tazobactam')).toBe('penicilline tazobactam');
  });
});

describe("the site's allergy class map", () => {
  const map = (config: unknown): AllergyClassMap => {
    const r = allergyClassMap(config);
    if (!r.ok) throw new Error(r.problem);
    return r.value;
  };

  it('is the default without configuration', () => {
    expect(map(undefined)).toBe(DEFAULT_CLASS_MAP);
  });

  it('extends the default: a new class, and more members for an existing one', () => {
    const m = map({ classes: { Opioids: ['Morphine', 'Oxycodone'], penicillin: ['Tazocin EF'] } });
    expect(matches('Oxycodone', 'opioids', m)).toBe(true);
    expect(matches('Tazocin EF', 'Penicillin', m)).toBe(true);
    expect(matches('Amoxicillin', 'Penicillin', m)).toBe(true);
  });

  it('replaces the default when the site says so', () => {
    const m = map({ classes: { opioids: ['morphine'] }, replace_defaults: true });
    expect(matches('Amoxicillin', 'Penicillin', m)).toBe(false);
    expect(matches('Morphine', 'Opioids', m)).toBe(true);
  });

  it('is refused with a sentence naming the setting when it is malformed', () => {
    const problem = (c: unknown): string => {
      const r = allergyClassMap(c);
      return r.ok ? '' : r.problem;
    };
    expect(problem({ classes: { opioids: [] } })).toBe('allergy_classes.classes.opioids: must list at least one medicine.');
    expect(problem({ classes: { opioids: 'morphine' } })).toBe('allergy_classes.classes.opioids: must be a list.');
    expect(problem({ clases: {} })).toContain('allergy_classes: has no setting "clases".');
    expect(problem({ classes: { '--': ['x'] } })).toBe('allergy_classes: a class name needs a letter or a digit.');
    expect(problem('penicillin')).toBe('allergy_classes: must be an object.');
  });
});
