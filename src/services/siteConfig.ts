/**
 * A site's clinical settings, the same on every workstation and on the server so both decide alike
 * (SPEC §7b): the IANA time zone (a child's birthday, the handover shifts 07:00–19:00 and 19:00–07:00,
 * daily dose times), the minutes either side of a dose that need no reason, and the critical laboratory
 * limits. A workstation reads them from its system configuration file (electron/config.ts), the server
 * from the file named by SITE_CONFIG (src/server/main.ts); both turn them into a ServiceConfig here.
 */
import { z } from 'zod';
import { type Checked, configProblem, valid, refuse } from '../domain/checked';
import { criticalLimits } from '../domain/criticalLimits';
import { checkTimeZone } from '../domain/zonedTime';
import { defaultServiceConfig, type ServiceConfig } from './context';

export const SiteConfigFields = {
  /** The site's IANA time zone. UTC when absent. */
  timeZone: z
    .string()
    .min(1)
    .max(100)
    .refine((z) => checkTimeZone(z).ok, 'must be an IANA time zone such as Europe/London')
    .optional(),
  /** SPEC §7b: a dose more than this many minutes from its scheduled time needs a reason. */
  doseWindowMinutes: z.number().int().min(0).max(240).default(60),
  /**
   * SPEC §7b: the site laboratory's critical limits over the defaults (docs/clinical-rules.md), checked
   * by `criticalLimits` so a wrong file is refused with a sentence naming the setting.
   */
  critical_limits: z
    .unknown()
    .optional()
    .superRefine((v, c) => {
      const r = criticalLimits(v);
      // The issue is reported at `critical_limits` already: its sentences need not name it again.
      if (!r.ok) c.addIssue({ code: 'custom', message: r.problem.replace(/(^|\s)critical_limits[.:]\s?/g, '$1') });
    }),
};

export const SiteConfigSchema = z.object(SiteConfigFields).strict();
export type SiteConfig = z.output<typeof SiteConfigSchema>;

/** The service configuration of a site's settings over `base` (breakGlassMinutes and the like). */
export function siteServiceConfig(site: Partial<SiteConfig>, base: ServiceConfig = defaultServiceConfig): ServiceConfig {
  const limits = criticalLimits(site.critical_limits);
  // The schema above refused an invalid table already; the defaults would be a silent wrong answer.
  if (!limits.ok) throw new Error(limits.problem);
  const timeZone = site.timeZone ?? undefined;
  return {
    ...base,
    ...(timeZone ? { timeZone } : {}),
    criticalLimits: limits.value,
    medicines: { ...base.medicines, timeZone: timeZone ?? null, windowMinutes: site.doseWindowMinutes ?? 60 },
  };
}

/** A site settings file's content (the server's SITE_CONFIG), or sentences naming what to correct. */
export function parseSiteConfig(json: unknown): Checked<SiteConfig> {
  const r = SiteConfigSchema.safeParse(json);
  return r.success ? valid(r.data) : refuse(configProblem('', r.error.issues));
}
