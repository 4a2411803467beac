/**
 * The system-wide configuration IT installs (docs/install.md):
 *   Linux    /etc/clinic-workstation/config.json
 *   Windows  %ProgramData%\clinic-workstation\config.json
 *   macOS    /Library/Application Support/clinic-workstation/config.json
 * overridden by `--config=PATH` on the command line or CLINIC_WORKSTATION_CONFIG in the environment.
 * A missing default file means development defaults; a named file that is missing or invalid is an
 * error shown in a window, never a crash.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SiteConfigFields } from '../src/services/siteConfig';
import { PolicyConfigSchema } from '../src/authz/policy';

export const SystemConfigSchema = z
  .object({
    /** Central server for sync; absent: the workstation works locally only. */
    serverUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Organization this workstation is enrolled in (set by enrollment; here to pin it). */
    organization: z.string().min(1).optional(),
    /** Optional facility the workstation is limited to. */
    facility: z.string().min(1).optional(),
    /** Shown in the title bar and diagnostics. */
    workstationName: z.string().min(1).max(100).default('Ward workstation'),
    autoLockMinutes: z.number().int().min(1).max(120).default(5),
    lockedSignOutMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(60),
    maxSessionHours: z.number().int().min(1).max(24).default(12),
    lockout: z
      .object({
        maxAttempts: z.number().int().min(3).max(20).default(5),
        minutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(15),
      })
      .strict()
      .default({ maxAttempts: 5, minutes: 15 }),
    breakGlassMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(60),
    /** The site's clinical settings, the server's too: time zone, dose window, critical limits (src/services/siteConfig.ts). */
    ...SiteConfigFields,
    policy: PolicyConfigSchema.default({
      mode: 'policy',
      modules: [...PolicyConfigSchema.shape.modules.parse(undefined)],
      extraFiles: [],
      allowUnsafe: false,
    }),
    /** Where the database and logs live; default: the app's user-data folder. */
    dataDir: z.string().min(1).optional(),
    /** Development: fill an empty database with the demo hospital. Never on a clinic machine. */
    demoData: z.boolean().default(false),
  })
  .strict();

export type SystemConfig = z.output<typeof SystemConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly file: string | null,
    message: string,
  ) {
    super(file ? `The configuration file ${file} cannot be used: ${message}` : message);
    this.name = 'ConfigError';
  }
}

export function defaultConfigPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'clinic-workstation', 'config.json');
  if (platform === 'darwin') return '/Library/Application Support/clinic-workstation/config.json';
  return '/etc/clinic-workstation/config.json';
}

/** `--config=PATH` or `--config PATH`, else the environment, else the platform default. */
export function configPathFrom(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { file: string; explicit: boolean } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--config=')) return { file: a.slice('--config='.length), explicit: true };
    if (a === '--config' && argv[i + 1]) return { file: argv[i + 1]!, explicit: true };
  }
  if (env.CLINIC_WORKSTATION_CONFIG) return { file: env.CLINIC_WORKSTATION_CONFIG, explicit: true };
  return { file: defaultConfigPath(), explicit: false };
}

export interface LoadedConfig {
  config: SystemConfig;
  file: string | null;
}

export function loadSystemConfig(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const { file, explicit } = configPathFrom(argv, env);
  if (!existsSync(file)) {
    if (explicit) throw new ConfigError(file, 'the file does not exist.');
    return { config: SystemConfigSchema.parse({}), file: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, `it is not valid JSON (${(e as Error).message}).`);
  }
  const parsed = SystemConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; '));
  }
  const config = parsed.data;
  // Site policy files are named relative to the configuration file.
  config.policy.extraFiles = config.policy.extraFiles.map((f) => path.resolve(path.dirname(file), f));
  return { config, file };
}
