/**
 * The registry layout, the same as a provisioning root's `distribution/` so a published folder
 * can be served as is (any static file server) and read back by `providers:vendor`:
 *
 *   <registry>/packages/<module>_<version>.tar          the packs, immutable once published
 *   <registry>/packages/<module>_<version>.tar.minisig  their signatures, when signed
 *   <registry>/registry/<module>.json                   metadata; `package_file` is relative to <registry>
 *   <registry>/index.json                               every module and version (written last)
 */
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';

export const PACKAGES_DIR = 'packages';
export const METADATA_DIR = 'registry';
export const INDEX_FILE = 'index.json';
export const SIGNATURE_SUFFIX = '.minisig';

/** `packages/<file>`: the `package_file` a registry records (always `/`-separated). */
export function registryPackageFile(tarName: string): string {
  return `${PACKAGES_DIR}/${tarName}`;
}

/**
 * Checks a registry's `package_file` is a plain relative path below the registry (`packages/x.tar`):
 * a hostile or broken registry must not make us read `../../etc/passwd` or another host.
 */
export function assertRegistryPath(packageFile: unknown, source: string): string {
  const ok = typeof packageFile === 'string' &&
    /^[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*$/.test(packageFile) &&
    !packageFile.split('/').some((part) => part === '..' || part === '.');
  if (!ok) {
    throw new ProvisioningError(
      'REGISTRY_ERROR',
      `Cannot use package_file ${JSON.stringify(packageFile)} from ${source}: expected a relative path such as packages/aws_prov_1.0.0.tar`,
      { file: source },
    );
  }
  return packageFile;
}

/** The metadata file of `module` in a registry folder. */
export function metadataFileOf(registry: string, module: string): string {
  return path.join(registry, METADATA_DIR, `${module}.json`);
}
