import { ProvisioningError } from './errors.ts';
import { isVersion } from './versions.ts';

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

/** `<stem>_<version>.tar`, the only name a local or published pack has: a version never holds `_`, so the last one splits. */
const PACK_FILE_NAME = /^([a-z0-9][a-z0-9_-]*)_([^_/\\]+)\.tar$/;

/**
 * A pack's file name (`aws_prov_1.0.0+build.5.tar`, `provisioning_1.2.3.tar`) as its stem and
 * version, the version exactly a semantic version (build metadata included); undefined for any
 * other name.
 */
export function parsePackFileName(file: string): { stem: string; version: string } | undefined {
  const m = PACK_FILE_NAME.exec(file);
  return m && isVersion(m[2]) ? { stem: m[1]!, version: m[2] } : undefined;
}
