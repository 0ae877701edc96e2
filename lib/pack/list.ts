/**
 * The packages present, from the registry metadata.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { readMetadata } from '../formats/metadata.ts';

export interface PackRow {
  module: string;
  version: string;
  size: number;
  integrity: string;
  created: string;
  exported: boolean;
  file: string;
}

export interface ListPacksOptions {
  /** `registry_path`. Required. */
  registryDir: string;
  /**
   * `pack_path`: each row's `file` is `<packDir>/<file name of package_file>`, since metadata
   * copied with its tree still names the original's folder. Default: `package_file` as written.
   */
  packDir?: string | undefined;
}

/** One row per version of every `<registry>/*.json` that is pack metadata; by module, newest first. */
export async function listPacks({ registryDir, packDir }: ListPacksOptions): Promise<PackRow[]> {
  const names = await readdir(registryDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const rows: PackRow[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const meta = readMetadata(path.join(registryDir, name));
    if (!meta || typeof meta.name !== 'string') continue;
    const versions = Object.keys(meta.versions).filter((v) => semver.valid(v)).sort(semver.rcompare);
    for (const version of versions) {
      const v = meta.versions[version]!;
      rows.push({
        module: meta.name,
        version,
        size: v.size,
        integrity: v.integrity,
        created: v.created,
        exported: v.exported,
        file: packDir !== undefined && typeof v.package_file === 'string' ? path.join(packDir, path.basename(v.package_file)) : v.package_file,
      });
    }
  }
  return rows;
}
