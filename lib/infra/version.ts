import semver from 'semver';
import { ProvisioningError } from '../errors.ts';
import { assertRange } from '../versions.ts';
import type { Provider } from '../tree/providers.ts';

/**
 * Refuses `--ver RANGE` when it is not a semver range (`INVALID_OPTION`) or the provider's
 * `[package] version` does not satisfy it (`VERSION_MISMATCH`; a provider without a version
 * satisfies no range).
 */
export function assertSatisfies(provider: Provider, range: string): void {
  assertRange(range);
  const version = provider.version;
  if (version === undefined || !semver.satisfies(version, range)) {
    throw new ProvisioningError('VERSION_MISMATCH', `Cannot install "${provider.name}": version ${version ?? '(none)'} does not satisfy ${range}`, {
      file: provider.manifestFile,
      hint: version === undefined ? `set [package] version in ${provider.manifestFile}` : `${provider.name} is at ${version}`,
    });
  }
}
