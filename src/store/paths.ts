/** Where the app's static assets (migrations, policies) live, in development and when packaged. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Project root when running from source; packaged builds set CLINIC_RESOURCES_DIR instead. */
export function resourcesDir(): string {
  const fromEnv = process.env.CLINIC_RESOURCES_DIR;
  if (fromEnv) return fromEnv;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const migrationsDir = (): string => path.join(resourcesDir(), 'migrations');
export const policiesDir = (): string => path.join(resourcesDir(), 'policies');
