/** The scenario file format of SPEC §5, validated with zod. */
import { z } from 'zod';
import { PolicyConfigSchema } from '../authz/policy';
import { canonicalTime } from '../domain/time';

const base = {
  actor: z.string().min(1),
  as: z.string().min(1).optional(),
  why: z.string().optional(),
  /** Extension: decide at this time instead of the fixture's `now` (time steps: a shift ends, break-glass expires). */
  at: z
    .string()
    .refine((s) => canonicalTime(s) !== null, 'must be an ISO-8601 time with a zone')
    .optional(),
};

export const DecisionCase = z
  .object({
    ...base,
    action: z.string().min(1),
    resource: z.string().min(1),
    expect: z.enum(['allow', 'forbidden', 'not_found']),
  })
  .strict();

export const ListCase = z
  .object({
    ...base,
    action: z.string().min(1),
    list: z.string().min(1),
    expect: z.array(z.string()),
  })
  .strict();

export const ActionsCase = z
  .object({
    ...base,
    resource: z.string().min(1),
    expect_actions: z.array(z.string()),
  })
  .strict();

/**
 * SPEC §5: the early warning score of one set of vital signs, decided without an actor or a fixture.
 * The codes and values of `news2` are checked by the rule itself (src/domain/news2.ts), so a bad case
 * is answered with the same sentence a nurse would see.
 */
export const News2Expect = z
  .object({
    total: z.number().int().nullable(),
    scores: z.record(z.string(), z.number().int()),
    risk: z.enum(['low', 'low_medium', 'medium', 'high']).nullable(),
    monitoring_minutes: z.number().int().nullable(),
    missing: z.array(z.string()),
    not_applicable: z.literal('under_16').nullable(),
  })
  .strict();

export const News2Case = z
  .object({
    news2: z.record(z.string(), z.unknown()),
    age: z.number(),
    spo2_scale: z.union([z.literal(1), z.literal(2)]).optional(),
    expect: News2Expect,
    why: z.string().optional(),
  })
  .strict();
export type News2Case = z.infer<typeof News2Case>;
/** A case is a NEWS2 case when it has a `news2` member; nothing else decides it. */
export const isNews2Case = (raw: unknown): boolean => raw !== null && typeof raw === 'object' && 'news2' in raw;

export const ScenarioCase = z.union([DecisionCase, ListCase, ActionsCase, News2Case]);
export type ScenarioCase = z.infer<typeof ScenarioCase>;

export const ScenarioFile = z
  .object({
    /** Absent in a file of NEWS2 or medicine cases only (SPEC §5, src/scenarios/doseCase.ts). */
    fixture: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** Extension: run the cases under a given policy configuration (module switch-off tests). */
    policy: PolicyConfigSchema.partial().optional(),
    description: z.string().optional(),
    cases: z.array(z.unknown()),
  })
  .strict();
export type ScenarioFile = z.infer<typeof ScenarioFile>;
