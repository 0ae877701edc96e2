/**
 * `pack:list --registry REF`: what a registry holds, per module and version. A folder or an
 * http(s) registry says it in its metadata files (index.json); an OCI registry in its tags, a
 * manifest and a config per version; the modules of a namespace come from the registry's catalog
 * where it offers one (GHCR and Harbor restrict it: name the module with --provider there).
 */
import semver from 'semver';
import type { Config } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';
import { isVersion } from '../versions.ts';
import type { PackSource } from './pack-source.ts';
import { packSource, registryRef } from './source.ts';

export interface RegistryRow {
  module: string;
  version: string;
  size: number;
  integrity: string;
  created: string;
  /** Where it is: the registry's package_file, a URL, or `oci://…@sha256:…`. */
  where: string;
}

export interface ListRegistryOptions {
  config: Config;
  /** The registry (default `[distribution] registry`). Required one way or the other. */
  registry?: string | undefined;
  /** Only this module (`aws_prov`). Default: every module the registry lists. */
  module?: string | undefined;
  cwd?: string;
  plainHttp?: boolean | undefined;
}

async function rowsOf(source: PackSource, module: string): Promise<RegistryRow[]> {
  const versions = ((await source.versions(module)) ?? []).filter(isVersion).sort(semver.rcompare);
  return Promise.all(versions.map(async (version) => {
    const { record, where } = await source.open(module, version);
    return { module, version, size: record.size, integrity: record.integrity, created: record.created, where };
  }));
}

export async function listRegistry({ config, registry, module, cwd = process.cwd(), plainHttp }: ListRegistryOptions): Promise<{ registry: string; rows: RegistryRow[] }> {
  const ref = registryRef(config, registry, cwd);
  if (ref === undefined) throw new ProvisioningError('INVALID_OPTION', 'Cannot list a registry: --registry is required (or [distribution] registry in config)');
  // Listing a registry fills no cache: a blob is kept when something is vendored from it.
  const source = packSource(config, registry, { cwd, plainHttp, cache: false });
  const listed = module !== undefined ? [module] : await source.modules();
  if (listed === undefined && ref.kind === 'oci') {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot list the modules of ${ref.label}: the registry offers no catalog`, {
      hint: 'name one: pack:list --registry … --provider <name>',
    });
  }
  const modules = listed ?? [];
  const rows = (await Promise.all(modules.map((m) => rowsOf(source, m)))).flat();
  if (module !== undefined && rows.length === 0) throw new ProvisioningError('PACK_NOT_FOUND', `Cannot find ${module} in ${source.label}`);
  return { registry: source.label, rows };
}
