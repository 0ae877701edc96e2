/**
 * Where packs come from: the root's own distribution, a directory registry, or an http(s)
 * registry serving the same layout (see layout.ts). One interface, so vendoring never cares.
 */
import { existsSync } from 'node:fs';
import { copyFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { ProvisioningError, systemError } from '../errors.ts';
import { readMetadata, type VersionRecord } from '../formats/metadata.ts';
import { parsePackFileName } from '../names.ts';
import { httpSource } from './http-source.ts';
import { OciClient } from './oci/client.ts';
import { ociSource } from './oci/source.ts';
import { parseRegistry, type RegistryRef } from './ref.ts';
import { fromMetadata, type MetadataSource, type PackSource } from './pack-source.ts';

export type { MetadataSource, PackSource } from './pack-source.ts';
import { assertSignedName } from './signed-name.ts';
import { assertRegistryPath, METADATA_DIR, SIGNATURE_SUFFIX } from './layout.ts';

export interface PackSourceOptions {
  /** Folder a relative `--registry` folder is resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** `--plain-http`: talk plain HTTP to an OCI registry. Default `[distribution.oci] plain_http`. */
  plainHttp?: boolean | undefined;
  /** Keep pulled OCI blobs in `<cache_path>/oci/`. Default true. */
  cache?: boolean;
}

/**
 * The registry `--registry` names, else `[distribution] registry` (a relative folder there is
 * the root's), else none (undefined).
 */
export function registryRef(config: Config, registry: string | undefined, cwd = process.cwd()): RegistryRef | undefined {
  if (registry !== undefined && registry !== '') return parseRegistry(registry, { cwd });
  if (config.distribution.registry !== undefined) return parseRegistry(config.distribution.registry, { cwd: config.root, from: '[distribution] registry' });
  return undefined;
}

/** An OCI client for the registry `ref` names, with the config's TLS and plain-HTTP settings. */
export function ociClient(config: Config, ref: Extract<RegistryRef, { kind: 'oci' }>, { plainHttp }: Pick<PackSourceOptions, 'plainHttp'> = {}): OciClient {
  return new OciClient({ host: ref.host, plainHttp: plainHttp ?? config.distribution.oci.plainHttp, caFile: config.distribution.oci.caFile });
}

/**
 * Picks the source: `--registry` (else `[distribution] registry`): a folder, an http(s) URL
 * serving one, or `oci://HOST/NAMESPACE`; neither: the local distribution.
 */
export function packSource(config: Config, registry: string | undefined, { cwd = process.cwd(), plainHttp, cache = true }: PackSourceOptions = {}): PackSource {
  const ref = registryRef(config, registry, cwd);
  if (ref === undefined || ref.kind === 'local') return fromMetadata(localSource(config));
  if (ref.kind === 'http') return fromMetadata(httpSource(ref.url), { registry: ref.label, kind: 'http' });
  if (ref.kind === 'oci') {
    return ociSource({ client: ociClient(config, ref, { plainHttp }), namespace: ref.namespace, cacheDir: cache ? config.distribution.cachePath : undefined });
  }
  return fromMetadata(directorySource(ref.dir), { registry: ref.label, kind: 'dir' });
}

async function copyLimited(from: string, dest: string, maxBytes: number, label: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(from)).size;
  } catch (error) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot fetch "${label}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file: from, cause: error });
  }
  if (size > maxBytes) throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust "${label}": ${size} bytes, the metadata says ${maxBytes}`, { file: from });
  await copyFile(from, dest);
}

async function jsonModules(dir: string): Promise<string[] | undefined> {
  // No metadata folder lists nothing (undefined); one that cannot be read is that failure.
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw systemError(error, `list the modules in ${dir}`, dir);
  });
  return names?.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)).sort();
}

interface FileSourceOptions {
  label: string;
  metadataDir: string;
  /** The pack file a version record names. */
  resolve(record: VersionRecord, file: string): string;
  display(file: string): string;
}

function fileSource({ label, metadataDir, resolve, display }: FileSourceOptions): MetadataSource {
  return {
    label,
    metadata: async (module) => await readMetadata(path.join(metadataDir, `${module}.json`)),
    modules: () => jsonModules(metadataDir),
    where: (record) => display(resolve(record, metadataDir)),
    fetchPackage: async (record, dest, maxBytes) => {
      const file = resolve(record, metadataDir);
      await copyLimited(file, dest, maxBytes, display(file));
    },
    fetchSignature: async (record, dest) => {
      const sig = resolve(record, metadataDir) + SIGNATURE_SUFFIX;
      if (!existsSync(sig)) return false;
      await copyFile(sig, dest);
      await assertSignedName(dest, String(record.package_file), display(sig));
      return true;
    },
  };
}

export interface LocalPackageExpect {
  /** The version the record is for: the tar must be named for it. Default: any semver (the caller checks it). */
  version?: string | undefined;
  /** The metadata's name (`aws_prov`, `provisioning_core`): the tar's stem must map to it. Default: not checked. */
  name?: string | undefined;
  /** Metadata name of a tar stem (the core's `provisioning` → `provisioning_core`). Default: the stem. */
  nameForStem?: (stem: string) => string;
}

/**
 * The tar a local metadata record names: always `<pack_path>/<basename(package_file)>` of the
 * tree being worked on. Pack writes `package_file` as an absolute path (as the seed's example
 * does), but a copied or moved tree still holds the original's path there: following it would
 * read (or vendor, or publish) the other tree's pack. So only the file name is used, and it must
 * be `<module>_<version>.tar` for this very version, else REGISTRY_ERROR naming `source`.
 */
export function localPackageFile(config: Config, packageFile: unknown, source: string, { version, name, nameForStem = (s) => s }: LocalPackageExpect = {}): string {
  const base = typeof packageFile === 'string' ? path.basename(packageFile.split('\\').join('/')) : '';
  const parsed = parsePackFileName(base);
  const ok = parsed !== undefined && (version === undefined || parsed.version === version) && (name === undefined || nameForStem(parsed.stem) === name);
  if (!ok) {
    throw new ProvisioningError(
      'REGISTRY_ERROR',
      `Cannot use package_file ${JSON.stringify(packageFile)}${version ? ` of version ${version}` : ''} in "${source}": expected a file named <module>_${
        version ?? '<version>'
      }.tar`,
      {
        file: source,
        hint: 'fix or remove the metadata file; packing that version again rewrites it',
      },
    );
  }
  return path.join(config.distribution.packPath, base);
}

/** The root's own `distribution/`: metadata in `registry_path`, packs in `pack_path`. */
export function localSource(config: Config): MetadataSource {
  const rel = (file: string) => path.relative(config.root, file).split(path.sep).join('/');
  return fileSource({
    label: rel(config.distribution.registryPath) || '.',
    metadataDir: config.distribution.registryPath,
    resolve: (record, metadataDir) => localPackageFile(config, record.package_file, metadataDir),
    display: rel,
  });
}

/** A published registry folder (`pack:publish --registry DIR`). */
export function directorySource(dir: string): MetadataSource {
  const metadataDir = path.join(dir, METADATA_DIR);
  return fileSource({
    label: dir,
    metadataDir,
    resolve: (record, from) => path.join(dir, ...assertRegistryPath(record.package_file, from).split('/')),
    display: (file) => file,
  });
}
