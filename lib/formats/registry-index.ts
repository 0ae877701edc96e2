/**
 * `<registry>/index.json`: every module and version a directory registry holds, as
 * `{ format, modules: { <name>: { latest, metadata, versions: { <v>: … } } } }`.
 */
import semver from 'semver';
import type { PackMetadata } from './metadata.ts';

export const INDEX_FORMAT = 1;

export interface IndexVersion {
  /** Relative to the registry: `packages/<module>_<version>.tar`. */
  package_file: string;
  integrity: string;
  size: number;
  created: string;
  /** `packages/<…>.tar.minisig` when the pack is signed, else null. */
  signature: string | null;
}

export interface IndexModule {
  latest: string;
  /** The metadata file, relative to the registry. */
  metadata: string;
  versions: Record<string, IndexVersion>;
}

export interface RegistryIndex {
  format: number;
  modules: Record<string, IndexModule>;
}

/** One module's index entry from its metadata; `signatureOf` names a version's `.minisig`, or null. */
export function indexModule(meta: PackMetadata, metadataFile: string, signatureOf: (packageFile: string) => string | null): IndexModule {
  const versions = Object.keys(meta.versions).filter((v) => semver.valid(v)).sort(semver.rcompare);
  return {
    latest: versions[0] ?? meta.version,
    metadata: metadataFile,
    versions: Object.fromEntries(versions.map((v) => {
      const r = meta.versions[v]!;
      return [v, { package_file: r.package_file, integrity: r.integrity, size: r.size, created: r.created, signature: signatureOf(r.package_file) }];
    })),
  };
}

/** The file's bytes: two-space JSON, one trailing newline. */
export function formatIndex(index: RegistryIndex): string {
  return JSON.stringify(index, null, 2) + '\n';
}
