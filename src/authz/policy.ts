/**
 * Which Polar modules load (SPEC §3: sites change or switch off rules without code changes).
 * `base.polar` always loads; a site lists the modules it wants and may add its own files.
 * The development switch loads allow-all or deny-all instead, to prove enforcement is wired.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { policiesDir } from '../store/paths';

export const POLICY_MODULES = [
  'rbac',
  'patient-access',
  'care-teams',
  'examination-access',
  'break-glass',
  'alerts',
  'users-organizations',
  'sensitive-data',
  'ward-nursing',
  'medicines',
] as const;

/**
 * Modules that narrow what the others grant (SPEC §3a). base.polar calls their hooks, so when a site
 * leaves one out, its `off/` file loads instead and defines the hooks as "no narrowing".
 */
const NARROWING_MODULES: readonly PolicyModule[] = ['sensitive-data'];
export type PolicyModule = (typeof POLICY_MODULES)[number];

export const PolicyConfigSchema = z
  .object({
    mode: z.enum(['policy', 'allow-all', 'deny-all']).default('policy'),
    modules: z.array(z.enum(POLICY_MODULES)).default([...POLICY_MODULES]),
    /** Site-specific `.polar` files, absolute or relative to the configuration file. */
    extraFiles: z.array(z.string().min(1)).default([]),
    /** allow-all is for development only; refusing it by default keeps it off clinic machines. */
    allowUnsafe: z.boolean().default(false),
  })
  .strict();
export type PolicyConfig = z.input<typeof PolicyConfigSchema>;
export type ResolvedPolicyConfig = z.output<typeof PolicyConfigSchema>;

export interface PolicySource {
  filename: string;
  text: string;
}

export interface LoadedPolicy {
  config: ResolvedPolicyConfig;
  sources: PolicySource[];
  /** Changes whenever the policy text changes; part of every compiled-filter cache key. */
  fingerprint: string;
}

export function resolvePolicy(input: PolicyConfig = {}, baseDir = policiesDir()): LoadedPolicy {
  const parsed = PolicyConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `Policy configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const config = parsed.data;
  const read = (file: string): PolicySource => {
    if (!file.endsWith('.polar')) throw new Error(`Policy file must end in .polar: ${file}`);
    if (!existsSync(file)) throw new Error(`Policy file not found: ${file}`);
    return { filename: file, text: readFileSync(file, 'utf8') };
  };
  let sources: PolicySource[];
  if (config.mode === 'allow-all') {
    if (!config.allowUnsafe) throw new Error('Policy mode allow-all is for development only; set allowUnsafe to use it.');
    sources = [read(path.join(baseDir, 'dev', 'allow-all.polar'))];
  } else if (config.mode === 'deny-all') {
    sources = [read(path.join(baseDir, 'dev', 'deny-all.polar'))];
  } else {
    const modules = [...new Set(config.modules)];
    sources = [
      read(path.join(baseDir, 'base.polar')),
      ...modules.map((m) => read(path.join(baseDir, `${m}.polar`))),
      ...NARROWING_MODULES.filter((m) => !modules.includes(m)).map((m) => read(path.join(baseDir, 'off', `${m}.polar`))),
      ...config.extraFiles.map((f) => read(path.resolve(f))),
    ];
  }
  const fingerprint = hashText(sources.map((s) => `${s.filename}\n${s.text}`).join('\n\0'));
  return { config, sources, fingerprint };
}

function hashText(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}
