/**
 * `<registry>/index.json`: every module and version a registry holds, rebuilt from its
 * metadata files on each publish (so it also lists what earlier publishes put there).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { writeFileAtomic } from '../fs/atomic.ts';
import { readMetadata } from '../pack/metadata.ts';
import { INDEX_FILE, METADATA_DIR, SIGNATURE_SUFFIX } from './layout.ts';

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

export interface RegistryIndex {
  format: number;
  modules: Record<string, { latest: string; metadata: string; versions: Record<string, IndexVersion> }>;
}

export async function buildIndex(registry: string): Promise<RegistryIndex> {
  const dir = path.join(registry, METADATA_DIR);
  const index: RegistryIndex = { format: INDEX_FORMAT, modules: {} };
  for (const name of (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort()) {
    const meta = await readMetadata(path.join(dir, name));
    if (!meta || typeof meta.name !== 'string') continue;
    const versions = Object.keys(meta.versions).filter((v) => semver.valid(v)).sort(semver.rcompare);
    index.modules[meta.name] = {
      latest: versions[0] ?? meta.version,
      metadata: `${METADATA_DIR}/${name}`,
      versions: Object.fromEntries(versions.map((v) => {
        const r = meta.versions[v]!;
        const signature = existsSync(path.join(registry, r.package_file + SIGNATURE_SUFFIX)) ? r.package_file + SIGNATURE_SUFFIX : null;
        return [v, { package_file: r.package_file, integrity: r.integrity, size: r.size, created: r.created, signature }];
      })),
    };
  }
  return index;
}

export async function writeIndex(registry: string): Promise<RegistryIndex> {
  const index = await buildIndex(registry);
  await writeFileAtomic(path.join(registry, INDEX_FILE), JSON.stringify(index, null, 2) + '\n');
  return index;
}
