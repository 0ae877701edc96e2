import semver from 'semver';
import { ProvisioningError } from '../errors.ts';
import type { Provider } from '../providers/discover.ts';

/**
 * Refuses `--ver RANGE` when it is not a semver range (`INVALID_OPTION`) or the provider's
 * `[package] version` does not satisfy it (`VERSION_MISMATCH`; a provider without a version
 * satisfies no range).
 */
export function assertRange(provider: Provider, range: string): void {
  if (semver.validRange(range) === null) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot use --ver ${JSON.stringify(range)}: not a semver range`, {
      hint: 'e.g. --ver 1.2.3, --ver ^0.2 or --ver ">=0.1 <1"',
    });
  }
  const version = provider.version;
  if (version === undefined || !semver.satisfies(version, range)) {
    throw new ProvisioningError('VERSION_MISMATCH', `Cannot install "${provider.name}": version ${version ?? '(none)'} does not satisfy ${range}`, {
      file: provider.manifestFile,
      hint: version === undefined ? `set [package] version in ${provider.manifestFile}` : `${provider.name} is at ${version}`,
    });
  }
}

/** True when `version` is one exact semver version (what production wants recorded). */
export function isPinned(version: string | null): boolean {
  return version !== null && semver.valid(version) !== null;
}
