/**
 * The checks before a dose is given (SPEC §7b, issue 19 item 3): each refuses a wrong scan or value with
 * a sentence, asks for a reason where the nurse may go ahead with one, and records what was bypassed.
 */
import { describe, expect, it } from 'vitest';
import { allergyClassMap } from '../../src/domain/allergyMatch';
import {
  blockingChecks,
  checkFiveRights,
  type FiveRightsInput,
  type FiveRightsResult,
  type Right,
  type RightCheck,
} from '../../src/domain/fiveRights';

const GS = '\u001d';
const CLARITHROMYCIN = { medication: 'Clarithromycin', product_code: '05012345678900', dose: 500, unit: 'mg', route: 'oral' };
const MORPHINE = {
  medication: 'Morphine sulfate',
  product_code: '05012345678917',
  dose: 5,
  unit: 'mg',
  route: 'sc',
  prn: true,
  min_interval_hours: 4,
};

/** The 08:00 dose of clarithromycin given at 08:10, everything scanned and right. */
const RIGHT: FiveRightsInput = {
  chart_mrn: 'GH-0001',
  order: CLARITHROMYCIN,
  wristband: { value: 'GH-0001' },
  product: { value: '5012345678900' },
  dose: 500,
  route: 'oral',
  at: '2026-11-23T08:10:00Z',
  scheduled_for: '2026-11-23T08:00:00Z',
  earlier: [],
  allergies: [],
};

function run(changes: Partial<FiveRightsInput>): FiveRightsResult {
  const r = checkFiveRights({ ...RIGHT, ...changes });
  if (!r.ok) throw new Error(r.problem);
  return r.value;
}
const the = (r: FiveRightsResult, right: Right): RightCheck => r.checks.find((c) => c.right === right)!;

describe('the five rights', () => {
  it('are all ok when everything is scanned and as ordered', () => {
    const r = run({});
    expect(r.outcome).toBe('ok');
    expect(r.bypassed).toEqual([]);
    expect(r.checks.map((c) => [c.right, c.status])).toEqual([
      ['patient', 'ok'],
      ['medicine', 'ok'],
      ['dose', 'ok'],
      ['route', 'ok'],
      ['time', 'ok'],
      ['allergy', 'ok'],
    ]);
    expect(the(r, 'patient').message).toBe('The wristband matches the chart (GH-0001).');
    expect(blockingChecks(r, {})).toEqual([]);
  });

  describe('right patient', () => {
    it("refuses another patient's wristband", () => {
      const c = the(run({ wristband: { value: 'GH-0002' } }), 'patient');
      expect(c).toEqual({
        right: 'patient',
        status: 'refused',
        bypassed: false,
        message: 'The wristband reads GH-0002, but this chart is GH-0001: stop, this may be the wrong patient.',
      });
    });

    it("matches the MRN without case, after NFKC, and without the reader's symbology prefix", () => {
      expect(the(run({ wristband: { value: 'gh-0001' } }), 'patient').status).toBe('ok');
      expect(the(run({ wristband: { value: 'ＧＨ-０００１' } }), 'patient').status).toBe('ok');
      expect(the(run({ wristband: { value: ']C0GH-0001' } }), 'patient').status).toBe('ok');
    });

    it('refuses a look-alike or an invisible character in the scan', () => {
      const c = the(run({ wristband: { value: 'G\u041d-0001' } }), 'patient');
      expect(c.status).toBe('refused');
      expect(c.message).toMatch(
        /^The wristband did not read as a medical record number: The medical record number contains "Н" \(U\+041D\), a Cyrillic letter/,
      );
      expect(the(run({ wristband: { value: 'GH-0001\u200b' } }), 'patient').status).toBe('refused');
    });

    it('accepts a typed MRN that matches but records the bypass; asks for a reason when nothing was scanned', () => {
      const typed = run({ wristband: { value: 'GH-0001', manual: true } });
      expect(the(typed, 'patient')).toMatchObject({ status: 'ok', bypassed: true });
      expect(typed.bypassed).toEqual(['patient']);
      const none = run({ wristband: { value: null } });
      expect(the(none, 'patient')).toMatchObject({ status: 'needs_reason', bypassed: true });
      expect(the(none, 'patient').message).toMatch(
        /^The wristband was not scanned\. Confirm the patient's name and date of birth/,
      );
      expect(the(run({ wristband: { value: '  ' } }), 'patient').status).toBe('needs_reason');
      expect(the(run({ wristband: { value: 'GH-0009', manual: true } }), 'patient')).toMatchObject({
        status: 'refused',
        bypassed: true,
      });
    });
  });

  describe('right medicine', () => {
    it('accepts the package as EAN-13, GTIN-14 or a GS1 DataMatrix holding the GTIN', () => {
      for (const value of [
        '5012345678900',
        '05012345678900',
        `]d20105012345678900172712311012AB${GS}21XYZ`,
        '(01)05012345678900(17)271231',
      ]) {
        expect(the(run({ product: { value } }), 'medicine').status, value).toBe('ok');
      }
    });

    it('refuses another product, naming what was scanned and what was ordered', () => {
      const c = the(run({ product: { value: '5012345678917' } }), 'medicine');
      expect(c).toEqual({
        right: 'medicine',
        status: 'refused',
        bypassed: false,
        message:
          'The package scanned (05012345678917) is not the product ordered for Clarithromycin (05012345678900). Take the right medicine.',
      });
    });

    it("refuses a scan that holds nothing but the reader's prefix, and an order without a product code", () => {
      expect(the(run({ product: { value: ']d2' } }), 'medicine').status).toBe('refused');
      expect(the(run({ order: { ...CLARITHROMYCIN, product_code: '' } }), 'medicine').status).toBe('refused');
    });

    it('refuses an expired package, and accepts one on its last day', () => {
      const expired = the(run({ product: { value: '(01)05012345678900(17)261122' } }), 'medicine');
      expect(expired).toMatchObject({
        status: 'refused',
        message: 'This package of Clarithromycin expired on 2026-11-22. Take another package.',
      });
      expect(the(run({ product: { value: '(01)05012345678900(17)261123' } }), 'medicine').status).toBe('ok');
    });

    it('records a typed code as bypassed and asks for a reason when the package was not scanned', () => {
      expect(the(run({ product: { value: '05012345678900', manual: true } }), 'medicine')).toMatchObject({
        status: 'ok',
        bypassed: true,
      });
      const none = the(run({ product: {} }), 'medicine');
      expect(none).toMatchObject({ status: 'needs_reason', bypassed: true });
      expect(none.message).toBe(
        'The package was not scanned. Check its label against the order (Clarithromycin 500 mg) and give a reason.',
      );
    });
  });

  describe('right dose and route', () => {
    it('refuses a dose or a unit other than ordered', () => {
      expect(the(run({ dose: 1000 }), 'dose')).toMatchObject({
        status: 'refused',
        message: 'The order is 500 mg of Clarithromycin, not 1000 mg. Give the dose as ordered, or ask the prescriber.',
      });
      expect(the(run({ dose: 500, unit: 'g' }), 'dose').status).toBe('refused');
      expect(the(run({ dose: 500, unit: 'MG' }), 'dose').status).toBe('ok');
    });

    it('refuses a route other than ordered', () => {
      expect(the(run({ route: 'iv' }), 'route')).toMatchObject({
        status: 'refused',
        message: 'Clarithromycin is ordered oral, not iv. Give it by the route ordered, or ask the prescriber.',
      });
    });
  });

  describe('right time', () => {
    it('is on time within 60 minutes either side of the scheduled time, and needs a reason beyond', () => {
      expect(the(run({ at: '2026-11-23T09:00:00Z' }), 'time').status).toBe('ok');
      expect(the(run({ at: '2026-11-23T07:00:00Z' }), 'time').status).toBe('ok');
      const late = the(run({ at: '2026-11-23T09:01:00Z' }), 'time');
      expect(late).toMatchObject({
        status: 'needs_reason',
        message: 'The 08:00 dose is 1 h 1 min late (more than 60 minutes). Give a reason, or record the dose as not given.',
      });
      expect(the(run({ at: '2026-11-23T06:30:00Z' }), 'time').message).toMatch(/^The 08:00 dose is 1 h 30 min early/);
    });

    it("takes the site's window and shows clock times in the site's zone", () => {
      expect(the(run({ at: '2026-11-23T08:31:00Z', window_minutes: 30 }), 'time').status).toBe('needs_reason');
      const c = the(
        run({ at: '2026-07-01T09:30:00Z', scheduled_for: '2026-07-01T07:00:00Z', time_zone: 'Europe/London' }),
        'time',
      );
      expect(c.message).toBe(
        'The 08:00 dose is 2 h 30 min late (more than 60 minutes). Give a reason, or record the dose as not given.',
      );
    });

    it('refuses a scheduled dose already given: that would be a double dose', () => {
      const c = the(
        run({ earlier: [{ status: 'given', scheduled_for: '2026-11-23T08:00:00Z', at: '2026-11-23T08:02:00Z' }] }),
        'time',
      );
      expect(c).toMatchObject({
        status: 'refused',
        message: 'The 08:00 dose of Clarithromycin was already given at 08:02; giving it again would be a double dose.',
      });
      expect(
        the(run({ earlier: [{ status: 'held', scheduled_for: '2026-11-23T08:00:00Z', at: '2026-11-23T08:02:00Z' }] }), 'time')
          .status,
      ).toBe('ok');
    });

    it('asks which scheduled dose a dose of a scheduled order is', () => {
      expect(the(run({ scheduled_for: null }), 'time')).toMatchObject({
        status: 'refused',
        message: 'Choose which scheduled dose this is.',
      });
    });

    it('refuses a prn dose inside the minimum interval of a given one, and says from when it may be given', () => {
      const prn = {
        order: MORPHINE,
        product: { value: '05012345678917' },
        dose: 5,
        route: 'sc',
        scheduled_for: null,
        at: '2026-11-23T05:00:00Z',
      };
      const c = the(run({ ...prn, earlier: [{ status: 'given', at: '2026-11-23T03:00:00Z' }] }), 'time');
      expect(c).toMatchObject({
        status: 'refused',
        message:
          'A dose of Morphine sulfate was given at 03:00; doses are at least 4 hours apart, so the next may be given from 07:00.',
      });
      expect(
        the(run({ ...prn, at: '2026-11-23T07:00:00Z', earlier: [{ status: 'given', at: '2026-11-23T03:00:00Z' }] }), 'time'),
      ).toMatchObject({ status: 'ok', message: 'As required; the last dose was at 03:00.' });
      expect(the(run({ ...prn, earlier: [{ status: 'refused', at: '2026-11-23T04:00:00Z' }] }), 'time')).toMatchObject({
        status: 'ok',
        message: 'As required; no earlier dose is recorded.',
      });
      expect(the(run({ ...prn, order: { ...MORPHINE, min_interval_hours: null } }), 'time').message).toBe(
        'As required; no minimum interval is ordered.',
      );
    });

    it('refuses a prn dose recorded before a given one that lies inside the interval after it', () => {
      const c = the(
        run({
          order: MORPHINE,
          product: { value: '05012345678917' },
          dose: 5,
          route: 'sc',
          at: '2026-11-23T02:00:00Z',
          earlier: [{ status: 'given', at: '2026-11-23T03:00:00Z' }],
        }),
        'time',
      );
      expect(c.status).toBe('refused');
    });
  });

  describe('allergies', () => {
    const penicillin = {
      id: 'alg-1',
      substance: 'Penicillin',
      reaction: 'Anaphylaxis',
      severity: 'life_threatening' as const,
      status: 'active' as const,
    };
    const amoxicillin = { ...CLARITHROMYCIN, medication: 'Amoxicillin' };

    it('refuses a medicine matching an active allergy unless the prescriber overrode it', () => {
      const c = the(run({ order: amoxicillin, allergies: [penicillin] }), 'allergy');
      expect(c).toMatchObject({ status: 'refused' });
      expect(c.message).toBe(
        'Amoxicillin is listed under Penicillin (as amoxicillin): the patient has an active allergy to Penicillin (anaphylaxis, life-threatening). Do not give it: the prescriber must override the allergy with a reason first.',
      );
    });

    it("asks for the nurse's reason as well when the prescriber overrode it, and shows the prescriber's", () => {
      const c = the(
        run({
          order: { ...amoxicillin, allergy_override_reason: 'Tolerated amoxicillin in 2024; allergy label doubtful' },
          allergies: [penicillin],
        }),
        'allergy',
      );
      expect(c.status).toBe('needs_reason');
      expect(c.message).toContain(
        'The prescriber overrode it: "Tolerated amoxicillin in 2024; allergy label doubtful". Give your reason to go ahead.',
      );
    });

    it("ignores inactive allergies and uses the site's class map", () => {
      expect(the(run({ order: amoxicillin, allergies: [{ ...penicillin, status: 'inactive' }] }), 'allergy').status).toBe('ok');
      const classes = allergyClassMap({ classes: { macrolides: ['clarithromycin'] }, replace_defaults: true });
      if (!classes.ok) throw new Error(classes.problem);
      expect(
        the(run({ allergies: [{ substance: 'Macrolides', status: 'active' }], classes: classes.value }), 'allergy').status,
      ).toBe('refused');
      expect(the(run({ order: amoxicillin, allergies: [penicillin], classes: classes.value }), 'allergy').status).toBe('ok');
    });
  });

  describe('the outcome', () => {
    it('is the worst check, and lists every bypass', () => {
      const r = run({ wristband: {}, product: { value: '05012345678900', manual: true }, at: '2026-11-23T10:00:00Z' });
      expect(r.outcome).toBe('needs_reason');
      expect(r.bypassed).toEqual(['patient', 'medicine']);
      expect(run({ route: 'iv', wristband: {} }).outcome).toBe('refused');
    });

    it('is still blocked until each check needing a reason has one, and always when one refused', () => {
      const r = run({ wristband: {}, at: '2026-11-23T10:00:00Z' });
      expect(blockingChecks(r, {}).map((c) => c.right)).toEqual(['patient', 'time']);
      expect(blockingChecks(r, { patient: 'Wristband unreadable, identity confirmed verbally' }).map((c) => c.right)).toEqual([
        'time',
      ]);
      expect(blockingChecks(r, { patient: 'Wristband unreadable', time: '  ' }).map((c) => c.right)).toEqual(['time']);
      expect(blockingChecks(r, { patient: 'Wristband unreadable', time: 'Patient was in theatre' })).toEqual([]);
      const refused = run({ dose: 1000 });
      expect(blockingChecks(refused, { dose: 'Prescriber said so' }).map((c) => c.right)).toEqual(['dose']);
    });

    it('answers input it cannot judge with a sentence', () => {
      const problem = (changes: Partial<FiveRightsInput>): string => {
        const r = checkFiveRights({ ...RIGHT, ...changes });
        return r.ok ? '' : r.problem;
      };
      expect(problem({ at: 'now' })).toBe('The time of the dose needs a date, a time and a time zone.');
      expect(problem({ dose: 0 })).toBe('The dose given must be a number above 0.');
      expect(problem({ dose: Number.NaN })).toBe('The dose given must be a number above 0.');
      expect(problem({ time_zone: 'Nowhere/City' })).toMatch(/is not a time zone/);
      expect(problem({ window_minutes: -5 })).toMatch(/right-time window/);
      expect(problem({ scheduled_for: '08:00' })).toBe('The scheduled time needs a date, a time and a time zone.');
    });
  });
});
