import { ProvisioningError } from './errors.ts';

/** Provider and infra names: lower-case, digits, `_` and `-`, not starting with a separator. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Refuses a provider or infra name before any path is built from it, so `../x`, `a/b`
 * or an empty name can never reach the file system.
 */
export function assertName(kind: 'provider' | 'infra', name: unknown): string {
  if (name === undefined || name === '') {
    throw new ProvisioningError('INVALID_NAME', `Missing ${kind} name`, { hint: `pass --${kind} <name>` });
  }
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ProvisioningError('INVALID_NAME', `Cannot use ${kind} name ${JSON.stringify(String(name))}: names must match ${NAME_PATTERN.source}`, {
      hint: 'use lower-case letters, digits, "_" and "-" only',
    });
  }
  return name;
}

/** `upcloud` → `upcloud_prov`. */
export function moduleName(provider: string): string {
  return `${provider}_prov`;
}
