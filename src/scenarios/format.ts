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

export const ScenarioCase = z.union([DecisionCase, ListCase, ActionsCase]);
export type ScenarioCase = z.infer<typeof ScenarioCase>;

export const ScenarioFile = z
  .object({
    fixture: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** Extension: run the cases under a given policy configuration (module switch-off tests). */
    policy: PolicyConfigSchema.partial().optional(),
    description: z.string().optional(),
    cases: z.array(z.unknown()),
  })
  .strict();
export type ScenarioFile = z.infer<typeof ScenarioFile>;
