/**
 * Versions and ranges as the toolkit takes them: one semantic version (`1.2.3`, `1.0.0-rc.1`)
 * where a pack or a pin needs one, a semver range (`^1.0`, `>=0.1 <1`) where one is chosen.
 */
import semver from 'semver';
import { ProvisioningError } from './errors.ts';

/**
 * True when `version` is one semantic version exactly as written, build metadata included
 * (`1.0.0+build.5`: semver 2.0.0 allows it; `semver.valid` would drop it, so it is compared
 * with what `semver.parse` read, pre-release and build and all).
 */
export function isVersion(version: unknown): version is string {
  if (typeof version !== 'string') return false;
  const parsed = semver.parse(version);
  return parsed !== null && `${parsed.version}${parsed.build.length ? `+${parsed.build.join('.')}` : ''}` === version;
}

/** A plain semver version, else INVALID_OPTION (from `--ver`) or MANIFEST_INVALID (from a file, named by `from`). */
export function assertVersion(version: unknown, from: string): string {
  if (!isVersion(version)) {
    throw new ProvisioningError(
      from === '--ver' ? 'INVALID_OPTION' : 'MANIFEST_INVALID',
      `Cannot use version ${JSON.stringify(version)} from ${from}: expected a semantic version such as 1.2.3`,
      {
        hint: typeof version === 'string' && semver.valid(version) ? `use ${semver.valid(version)}` : 'see https://semver.org',
      },
    );
  }
  return version;
}

/** A semver range (a version is one too), else INVALID_OPTION naming `--ver`. */
export function assertRange(range: unknown): string {
  if (typeof range !== 'string' || range === '' || semver.validRange(range) === null) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot use --ver ${JSON.stringify(range)}: expected a semver range`, {
      hint: 'e.g. --ver 1.0.0, --ver ^1.0 or --ver ">=1.0 <2"',
    });
  }
  return range;
}

/** True when `version` is one exact semver version (what production wants recorded). */
export function isPinned(version: string | null): boolean {
  return version !== null && isVersion(version);
}
