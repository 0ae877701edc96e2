/**
 * `pack:clean`: per module, keeps the N highest versions by semver and deletes the rest with
 * their signatures, then updates the metadata. Only `<module>_<semver>.tar[.minisig]` is touched.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { withLock } from '../fs/lock.ts';
import { buildMetadata, infoOf, readMetadata, writeMetadata } from './metadata.ts';
import { packLockDir } from './pack-module.ts';

/** `aws_prov_1.10.0.tar` → stem and version; a version never holds `_`, so the last one splits. */
const PACK_FILE = /^(.+)_([^_/]+)\.tar(\.minisig)?$/;

export function parsePackFile(file: string): { stem: string; version: string; signature: boolean } | undefined {
  const m = PACK_FILE.exec(file);
  if (!m || semver.valid(m[2]!) !== m[2]) return undefined;
  return { stem: m[1]!, version: m[2]!, signature: m[3] !== undefined };
}

export interface CleanPacksOptions {
  /** Folder of the tars (`pack_path` or `--output`). Required. */
  packDir: string;
  /** `registry_path`. Required. */
  registryDir: string;
  /** `cache_path`, for the per-package lock shared with packing. Required. */
  cacheDir: string;
  /** Versions kept per module. Default 3. */
  keepLatest?: number;
  /** Report, delete nothing. Default false. */
  dryRun?: boolean;
  /** Metadata name of a tar stem (`provisioning` → `provisioning_core`). Default: the stem. */
  nameFor?: (stem: string) => string;
  /**
   * Versions never deleted, whatever their rank, e.g. one an infra has vendored. Default: none.
   * Protected versions are kept in addition to the N highest.
   */
  protect?: (name: string, version: string) => boolean | Promise<boolean>;
}

export interface CleanEntry {
  name: string;
  version: string;
  files: string[];
  action: 'keep' | 'delete' | 'protected';
}

export async function cleanPacks(options: CleanPacksOptions): Promise<CleanEntry[]> {
  const { packDir, registryDir, cacheDir, keepLatest = 3, dryRun = false, nameFor = (s: string) => s, protect } = options;
  if (!Number.isInteger(keepLatest) || keepLatest < 0) throw new TypeError(`The "keepLatest" option must be a whole number >= 0: ${keepLatest}`);
  const names = await readdir(packDir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? ([] as string[]) : Promise.reject(error)));
  const byStem = new Map<string, Map<string, string[]>>();
  for (const file of names.sort()) {
    const parsed = parsePackFile(file);
    if (!parsed) continue; // foreign files are never ours to delete
    const versions = byStem.get(parsed.stem) ?? byStem.set(parsed.stem, new Map()).get(parsed.stem)!;
    versions.set(parsed.version, [...(versions.get(parsed.version) ?? []), path.join(packDir, file)]);
  }
  const report: CleanEntry[] = [];
  for (const [stem, versions] of [...byStem].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = nameFor(stem);
    const ordered = [...versions.keys()].sort(semver.rcompare);
    const doomed: string[] = [];
    for (const [rank, version] of ordered.entries()) {
      const files = versions.get(version)!;
      const action = rank < keepLatest ? 'keep' : (await protect?.(name, version)) ? 'protected' : 'delete';
      report.push({ name, version, files, action });
      if (action === 'delete') doomed.push(version);
    }
    if (dryRun || doomed.length === 0) continue;
    await withLock(packLockDir(cacheDir), async () => {
      for (const version of doomed) for (const file of versions.get(version)!) await rm(file, { force: true });
      const metaFile = path.join(registryDir, `${name}.json`);
      const meta = readMetadata(metaFile);
      if (!meta) return;
      const left = Object.fromEntries(Object.entries(meta.versions).filter(([v]) => !doomed.includes(v)));
      const next = buildMetadata({ name: meta.name, versions: left, info: infoOf(meta), previous: meta });
      if (next) writeMetadata(metaFile, next);
      else await rm(metaFile, { force: true });
    });
  }
  return report;
}
