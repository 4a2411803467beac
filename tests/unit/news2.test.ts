/**
 * NEWS2 (RCP 2017) as SPEC §7b states it: every band edge of every parameter on both SpO₂ scales, the
 * risk and monitoring rules, missing parameters, under 16, bad input, escalation, ids and due times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeNews2,
  isOverdue,
  NEWS2_CODES,
  news2AlertId,
  news2Escalation,
  news2InputFromObservations,
  news2NextDue,
  type News2Code,
  type News2Input,
  type News2Result,
} from '../../src/domain/news2';

/** A set that scores 0 everywhere: each test changes one parameter. */
const CALM = {
  respiratory_rate: 16,
  oxygen_saturation: 97,
  inspired_oxygen: 'air',
  blood_pressure_systolic: 125,
  heart_rate: 72,
  consciousness: 'A',
  temperature: 36.8,
} as const;

function score(vitals: News2Input, age = 60, spo2_scale: 1 | 2 = 1): News2Result {
  const r = computeNews2(vitals, { age, spo2_scale });
  if (!r.ok) throw new Error(r.problem);
  return r.value;
}
const pointsOf = (code: News2Code, value: number | string, extra: News2Input = {}, scale: 1 | 2 = 1): number =>
  score({ ...CALM, ...extra, [code]: value }, 60, scale).scores[code]!;

describe('NEWS2 points: every band edge of the chart', () => {
  const edges: Array<[News2Code, Array<[number, number]>]> = [
    [
      'respiratory_rate',
      [
        [0, 3],
        [8, 3],
        [9, 1],
        [11, 1],
        [12, 0],
        [20, 0],
        [21, 2],
        [24, 2],
        [25, 3],
        [60, 3],
      ],
    ],
    [
      'blood_pressure_systolic',
      [
        [50, 3],
        [90, 3],
        [91, 2],
        [100, 2],
        [101, 1],
        [110, 1],
        [111, 0],
        [219, 0],
        [220, 3],
        [260, 3],
      ],
    ],
    [
      'heart_rate',
      [
        [20, 3],
        [40, 3],
        [41, 1],
        [50, 1],
        [51, 0],
        [90, 0],
        [91, 1],
        [110, 1],
        [111, 2],
        [130, 2],
        [131, 3],
        [250, 3],
      ],
    ],
    [
      'temperature',
      [
        [30, 3],
        [35.0, 3],
        [35.1, 1],
        [36.0, 1],
        [36.1, 0],
        [38.0, 0],
        [38.1, 1],
        [39.0, 1],
        [39.1, 2],
        [42, 2],
      ],
    ],
  ];
  for (const [code, cases] of edges) {
    it(`scores ${code} at each edge`, () => {
      for (const [value, points] of cases) expect(pointsOf(code, value), `${code} ${value}`).toBe(points);
    });
  }

  it('scores SpO₂ scale 1 at each edge, whatever the air or oxygen', () => {
    for (const o of ['air', 'oxygen'] as const) {
      for (const [v, p] of [
        [50, 3],
        [91, 3],
        [92, 2],
        [93, 2],
        [94, 1],
        [95, 1],
        [96, 0],
        [100, 0],
      ] as const) {
        expect(pointsOf('oxygen_saturation', v, { inspired_oxygen: o }), `${v} on ${o}`).toBe(p);
      }
    }
  });

  it('scores SpO₂ scale 2 on air: 88 and above score nothing', () => {
    for (const [v, p] of [
      [83, 3],
      [84, 2],
      [85, 2],
      [86, 1],
      [87, 1],
      [88, 0],
      [92, 0],
      [93, 0],
      [97, 0],
      [100, 0],
    ] as const) {
      expect(pointsOf('oxygen_saturation', v, { inspired_oxygen: 'air' }, 2), `${v}`).toBe(p);
    }
  });

  it('scores SpO₂ scale 2 on oxygen: too high a saturation scores again', () => {
    for (const [v, p] of [
      [83, 3],
      [84, 2],
      [85, 2],
      [86, 1],
      [87, 1],
      [88, 0],
      [92, 0],
      [93, 1],
      [94, 1],
      [95, 2],
      [96, 2],
      [97, 3],
      [100, 3],
    ] as const) {
      expect(pointsOf('oxygen_saturation', v, { inspired_oxygen: 'oxygen' }, 2), `${v}`).toBe(p);
    }
  });

  it('scores a scale 2 saturation as on air when air or oxygen was not recorded, and says it is missing', () => {
    const { inspired_oxygen: _, ...rest } = CALM;
    const r = score({ ...rest, oxygen_saturation: 98 }, 60, 2);
    expect(r.scores.oxygen_saturation).toBe(0);
    expect(r.missing).toEqual(['inspired_oxygen']);
    expect(r.total).toBeNull();
  });

  it('scores oxygen 2 and air 0, consciousness A 0 and new confusion, voice, pain or unresponsive 3', () => {
    expect(pointsOf('inspired_oxygen', 'oxygen')).toBe(2);
    expect(pointsOf('inspired_oxygen', 'air')).toBe(0);
    expect(pointsOf('consciousness', 'A')).toBe(0);
    for (const c of ['C', 'V', 'P', 'U']) expect(pointsOf('consciousness', c)).toBe(3);
  });

  it('reads values as observations store them: numeric strings, any case for the words', () => {
    expect(
      score({ ...CALM, heart_rate: '131', temperature: ' 39.1 ', inspired_oxygen: 'Oxygen', consciousness: 'v' }).scores,
    ).toEqual({
      ...score({ ...CALM, heart_rate: 131, temperature: 39.1, inspired_oxygen: 'oxygen', consciousness: 'V' }).scores,
    });
  });

  it('scores a value more precise than the chart as the worse of the two rows it falls between', () => {
    expect(pointsOf('temperature', 35.05)).toBe(3);
    expect(pointsOf('temperature', 36.05)).toBe(1);
    expect(pointsOf('temperature', 38.05)).toBe(1);
    expect(pointsOf('temperature', 39.05)).toBe(2);
    expect(pointsOf('respiratory_rate', 20.5)).toBe(2);
    expect(pointsOf('respiratory_rate', 8.5)).toBe(3);
    expect(pointsOf('heart_rate', 90.5)).toBe(1);
    expect(pointsOf('oxygen_saturation', 95.5)).toBe(1);
  });
});

describe('NEWS2 total, risk and monitoring', () => {
  it('is low with 12-hourly observations at 0, 4-hourly at 1 to 4', () => {
    expect(score(CALM)).toEqual({
      total: 0,
      scores: {
        respiratory_rate: 0,
        oxygen_saturation: 0,
        inspired_oxygen: 0,
        blood_pressure_systolic: 0,
        heart_rate: 0,
        consciousness: 0,
        temperature: 0,
      },
      risk: 'low',
      monitoring_minutes: 720,
      missing: [],
      not_applicable: null,
    });
    const four = score({ ...CALM, inspired_oxygen: 'oxygen', heart_rate: 111 });
    expect([four.total, four.risk, four.monitoring_minutes]).toEqual([4, 'low', 240]);
  });

  it('is low–medium with hourly observations when one parameter scores 3 and the total is below 5', () => {
    const r = score({ ...CALM, consciousness: 'C' });
    expect([r.total, r.risk, r.monitoring_minutes]).toEqual([3, 'low_medium', 60]);
    const four = score({ ...CALM, respiratory_rate: 7, temperature: 38.5 });
    expect([four.total, four.risk]).toEqual([4, 'low_medium']);
  });

  it('is medium at 5 and 6, with or without a 3, and high with continuous monitoring from 7', () => {
    const five = score({ ...CALM, consciousness: 'U', heart_rate: 111 });
    expect([five.total, five.risk, five.monitoring_minutes]).toEqual([5, 'medium', 60]);
    const six = score({ ...CALM, inspired_oxygen: 'oxygen', heart_rate: 111, blood_pressure_systolic: 95 });
    expect([six.total, six.risk]).toEqual([6, 'medium']);
    const seven = score({ ...CALM, consciousness: 'U', heart_rate: 111, blood_pressure_systolic: 95 });
    expect([seven.total, seven.risk, seven.monitoring_minutes]).toEqual([7, 'high', 15]);
  });

  it('scores the deteriorating patient of issue 18 (HR 138, BP 82, T 35.0, SpO₂ 84, RR 32) at 15 on air, high', () => {
    const r = score({
      heart_rate: 138,
      blood_pressure_systolic: 82,
      temperature: 35.0,
      oxygen_saturation: 84,
      respiratory_rate: 32,
      inspired_oxygen: 'air',
      consciousness: 'A',
    });
    expect(r.total).toBe(15);
    expect(r.risk).toBe('high');
  });

  it('gives no total, risk or interval for a set missing a parameter, and lists what is missing, sorted', () => {
    const r = score({ heart_rate: 80, temperature: null });
    expect(r).toEqual({
      total: null,
      scores: { heart_rate: 0 },
      risk: null,
      monitoring_minutes: null,
      not_applicable: null,
      missing: [
        'blood_pressure_systolic',
        'consciousness',
        'inspired_oxygen',
        'oxygen_saturation',
        'respiratory_rate',
        'temperature',
      ],
    });
    expect(score({}).missing).toEqual([...NEWS2_CODES].sort());
  });

  it('does not apply under 16 (the chart says so), and applies from the 16th birthday', () => {
    for (const age of [0, 5, 15, 15.99]) {
      expect(score(CALM, age)).toEqual({
        total: null,
        scores: {},
        risk: null,
        monitoring_minutes: null,
        missing: [],
        not_applicable: 'under_16',
      });
    }
    expect(score({ heart_rate: 80 }, 15).missing).toEqual([]);
    expect(score(CALM, 16).total).toBe(0);
  });
});

describe('NEWS2 refuses what it cannot score, with a sentence', () => {
  const problem = (vitals: unknown, age: unknown = 60, scale: unknown = 1): string => {
    const r = computeNews2(vitals as News2Input, { age: age as number, spo2_scale: scale as 1 });
    expect(r.ok).toBe(false);
    return r.ok ? '' : r.problem;
  };

  it('names an unknown code and lists the codes', () => {
    expect(problem({ ...CALM, heart_rat: 80 })).toMatch(
      /"heart_rat" is not a NEWS2 vital sign; the codes are respiratory_rate, .*temperature\./,
    );
  });

  it('names every value of the wrong kind, not only the first', () => {
    const p = problem({
      ...CALM,
      heart_rate: 'fast',
      consciousness: 'X',
      inspired_oxygen: 'room air',
      temperature: true,
      respiratory_rate: -2,
      oxygen_saturation: 104,
    });
    expect(p).toContain('Heart rate must be a number (/min), not "fast".');
    expect(p).toContain('Consciousness must be one of A, C, V, P or U (ACVPU), not "X".');
    expect(p).toContain('Air or oxygen must be "air" or "oxygen", not "room air".');
    expect(p).toContain('Temperature must be a number (°C), not true.');
    expect(p).toContain('Respiratory rate cannot be negative (-2).');
    expect(p).toContain('Oxygen saturation cannot be above 100% (104).');
  });

  it('refuses numbers in other shapes than stored ones, NaN and infinity', () => {
    for (const v of ['37,5', '1e2', '', ' ', NaN, Infinity, '0x10'])
      expect(problem({ ...CALM, temperature: v }), String(v)).toMatch(/^Temperature must be a number/);
  });

  it('refuses an impossible age, a scale other than 1 or 2, and a set that is not an object', () => {
    expect(problem(CALM, -1)).toMatch(/^Age must be a number of years/);
    expect(problem(CALM, '60')).toMatch(/^Age must be a number of years/);
    expect(problem(CALM, 60, 3)).toMatch(/^SpO₂ scale must be 1 or 2/);
    for (const v of [null, [], 'HR 80', 42]) expect(problem(v)).toMatch(/^The vital signs must be an object/);
  });

  it('still checks the values of a child under 16', () => {
    expect(problem({ heart_rate: 'fast' }, 10)).toMatch(/Heart rate must be a number/);
  });
});

describe('NEWS2 sets from saved observations', () => {
  it('picks the NEWS2 codes of a set and leaves the others (diastolic pressure) aside', () => {
    const r = news2InputFromObservations([
      { code: 'heart_rate', value: '72' },
      { code: 'blood_pressure_diastolic', value: '80' },
      { code: 'consciousness', value: 'A' },
    ]);
    expect(r).toEqual({ ok: true, value: { heart_rate: '72', consciousness: 'A' } });
  });

  it('refuses a set holding two different values for one parameter, accepts the same value twice', () => {
    const r = news2InputFromObservations([
      { code: 'heart_rate', value: '72' },
      { code: 'heart_rate', value: '140' },
    ]);
    expect(r.ok ? '' : r.problem).toBe(
      'The set holds two values for heart rate ("72" and "140"); correct one before it can be scored.',
    );
    expect(
      news2InputFromObservations([
        { code: 'heart_rate', value: '72' },
        { code: 'heart_rate', value: 72 },
      ]).ok,
    ).toBe(true);
  });
});

describe('NEWS2 escalation, alert id and next set due (SPEC §7b)', () => {
  it('raises medium for low–medium, high for medium, critical for high, nothing for low', () => {
    expect(news2Escalation(score({ ...CALM, consciousness: 'C' }))).toEqual({
      kind: 'news2',
      severity: 'medium',
      message: 'NEWS2 3 — ward review: one parameter scored 3',
    });
    expect(news2Escalation(score({ ...CALM, consciousness: 'U', heart_rate: 111 }))).toEqual({
      kind: 'news2',
      severity: 'high',
      message: 'NEWS2 5 — urgent review within the hour',
    });
    expect(news2Escalation(score({ ...CALM, consciousness: 'U', heart_rate: 140 }))).toEqual({
      kind: 'news2',
      severity: 'high',
      message: 'NEWS2 6 — urgent review within the hour',
    });
    expect(news2Escalation(score({ ...CALM, consciousness: 'U', heart_rate: 140, temperature: 39.5 }))).toEqual({
      kind: 'news2',
      severity: 'critical',
      message: 'NEWS2 8 — emergency review',
    });
    expect(news2Escalation(score({ ...CALM, heart_rate: 111 }))).toBeNull();
  });

  it('raises nothing for an incomplete set or a child', () => {
    expect(news2Escalation(score({ consciousness: 'U' }))).toBeNull();
    expect(news2Escalation(score({ ...CALM, consciousness: 'U', heart_rate: 140 }, 12))).toBeNull();
  });

  it('derives the alert id from the set id, the same on every machine', () => {
    expect(news2AlertId('set-7f3c')).toBe('news2:set-7f3c');
    expect(news2AlertId('set-7f3c')).toBe(news2AlertId('set-7f3c'));
    expect(news2AlertId('set-a')).not.toBe(news2AlertId('set-b'));
    expect(() => news2AlertId('')).toThrow(TypeError);
  });

  it('makes the next set due at the set time plus the monitoring interval, and overdue only after it', () => {
    expect(news2NextDue('2026-11-23T10:00:00Z', score(CALM))).toBe('2026-11-23T22:00:00.000Z');
    expect(news2NextDue('2026-11-23T10:00:00+01:00', score({ ...CALM, heart_rate: 111 }))).toBe('2026-11-23T13:00:00.000Z');
    expect(news2NextDue('2026-11-23T10:00:00Z', score({ ...CALM, consciousness: 'P', heart_rate: 140, temperature: 39.5 }))).toBe(
      '2026-11-23T10:15:00.000Z',
    );
    expect(news2NextDue('2026-11-23T10:00:00Z', score({ heart_rate: 80 }))).toBeNull();
    expect(() => news2NextDue('yesterday', score(CALM))).toThrow(TypeError);
    expect(isOverdue('2026-11-23T22:00:00.000Z', '2026-11-23T22:00:00.000Z')).toBe(false);
    expect(isOverdue('2026-11-23T22:00:00.000Z', '2026-11-23T22:00:01.000Z')).toBe(true);
    expect(isOverdue(null, '2030-01-01T00:00:00Z')).toBe(false);
  });
});

describe('NEWS2 properties', () => {
  const vital = fc.record({
    respiratory_rate: fc.integer({ min: 4, max: 60 }),
    oxygen_saturation: fc.integer({ min: 50, max: 100 }),
    inspired_oxygen: fc.constantFrom('air', 'oxygen'),
    blood_pressure_systolic: fc.integer({ min: 50, max: 260 }),
    heart_rate: fc.integer({ min: 20, max: 250 }),
    consciousness: fc.constantFrom('A', 'C', 'V', 'P', 'U'),
    temperature: fc.integer({ min: 300, max: 450 }).map((t) => t / 10),
  });
  const scale = fc.constantFrom<1 | 2>(1, 2);

  it('totals the points of the seven parameters, each 0 to 3, and its risk follows the total and the 3s', () => {
    fc.assert(
      fc.property(vital, scale, (v, s) => {
        const r = score(v, 60, s);
        const points = Object.values(r.scores);
        expect(points).toHaveLength(7);
        expect(points.every((p) => p >= 0 && p <= 3)).toBe(true);
        expect(r.total).toBe(points.reduce((a, b) => a + b, 0));
        const expected = r.total! >= 7 ? 'high' : r.total! >= 5 ? 'medium' : points.includes(3) ? 'low_medium' : 'low';
        expect(r.risk).toBe(expected);
      }),
    );
  });

  it('scores the stored strings as it scores the numbers', () => {
    fc.assert(
      fc.property(vital, scale, (v, s) => {
        const asText = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
        expect(score(asText, 60, s)).toEqual(score(v, 60, s));
      }),
    );
  });

  it('never scores a rate lower as it moves further from normal', () => {
    const centre: Partial<Record<News2Code, number>> = {
      respiratory_rate: 16,
      blood_pressure_systolic: 150,
      heart_rate: 70,
      temperature: 37,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(centre) as News2Code[])),
        fc.double({ min: 0, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        (code, a, b) => {
          const c = centre[code]!;
          const [near, far] = Math.abs(a - c) <= Math.abs(b - c) ? [a, b] : [b, a];
          if ((near - c) * (far - c) < 0) return; // opposite sides
          expect(pointsOf(code, far)).toBeGreaterThanOrEqual(pointsOf(code, near));
        },
      ),
    );
  });

  it('has no total whenever a parameter is left out', () => {
    fc.assert(
      fc.property(vital, fc.constantFrom(...NEWS2_CODES), (v, drop) => {
        const { [drop]: _, ...rest } = v;
        const r = score(rest);
        expect(r.total).toBeNull();
        expect(r.missing).toEqual([drop]);
      }),
    );
  });
});
