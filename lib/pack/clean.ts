/**
 * `pack:clean`: per module, keeps the N highest versions by semver and deletes the rest with
 * their signatures, then updates the metadata. A file is deleted only when it is provably one
 * this tool wrote: `<module>_<semver>.tar` whose registry metadata has a `versions` entry naming
 * exactly that file, with the same size and integrity (and its `.minisig`, only along with it).
 * Anything else that merely looks like a pack (a user's `db-backup_2024.1.1.tar`) is reported
 * and kept.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { isVersion } from '../versions.ts';
import { withLock } from '../fs/lock.ts';
import { NAME_PATTERN } from '../names.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import { buildMetadata, infoOf, type PackMetadata, readMetadata, writeMetadata } from '../formats/metadata.ts';
import { packLockDir } from './pack-module.ts';

/** `aws_prov_1.10.0.tar` → stem and version; a version never holds `_`, so the last one splits. */
const PACK_FILE = /^(.+)_([^_/]+)\.tar(\.minisig)?$/;

export function parsePackFile(file: string): { stem: string; version: string; signature: boolean } | undefined {
  const m = PACK_FILE.exec(file);
  if (!m || !isVersion(m[2])) return undefined;
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
  /** Report, delete nothing (the same decisions, files hashed the same way). Default false. */
  dryRun?: boolean;
  /** Metadata name of a tar stem (`provisioning` → `provisioning_core`). Default: the stem. */
  nameFor?: (stem: string) => string;
  /**
   * Versions never deleted, whatever their rank, e.g. one an infra has vendored. Default: none.
   * Protected versions are kept in addition to the N highest.
   */
  protect?: (name: string, version: string) => boolean | Promise<boolean>;
}

/**
 * What happened to one version's files: `keep` (among the N highest), `delete`, `protected`,
 * `not-ours` (no metadata entry names this file: never ours to delete) or `differs` (listed,
 * but its size or integrity is not the metadata's: someone changed it, so it is kept).
 */
export type CleanAction = 'keep' | 'delete' | 'protected' | 'not-ours' | 'differs';

export interface CleanEntry {
  name: string;
  version: string;
  files: string[];
  action: CleanAction;
}

interface Found {
  tar?: string;
  signature?: string;
}

/** True when the metadata's entry for `version` names `file` (by basename) and has its size. */
async function listedIn(meta: PackMetadata | undefined, version: string, file: string): Promise<'listed' | 'not-ours' | 'differs'> {
  const entry = meta && typeof meta.versions === 'object' && Object.hasOwn(meta.versions, version) ? meta.versions[version] : undefined;
  if (!entry || typeof entry.package_file !== 'string' || path.basename(entry.package_file) !== path.basename(file)) return 'not-ours';
  const st = await stat(file);
  return st.isFile() && st.size === entry.size ? 'listed' : 'differs';
}

async function planModule(
  packDir: string,
  registryDir: string,
  stem: string,
  found: Map<string, Found>,
  options: Required<Pick<CleanPacksOptions, 'keepLatest' | 'nameFor'>> & Pick<CleanPacksOptions, 'protect'>,
): Promise<{ name: string; meta: PackMetadata | undefined; entries: CleanEntry[] }> {
  const name = options.nameFor(stem);
  // A stem that is not a module name has no metadata we could have written.
  const meta = NAME_PATTERN.test(name) ? readMetadata(path.join(registryDir, `${name}.json`)) : undefined;
  const entries: CleanEntry[] = [];
  const ours: string[] = [];
  for (const version of [...found.keys()].sort(semver.rcompare)) {
    const { tar, signature } = found.get(version)!;
    const files = [tar, signature].filter((f): f is string => f !== undefined).map((f) => path.join(packDir, f));
    const listed = tar === undefined ? 'not-ours' : await listedIn(meta, version, path.join(packDir, tar));
    const entry: CleanEntry = { name, version, files, action: listed === 'listed' ? 'keep' : listed };
    entries.push(entry);
    if (listed === 'listed') ours.push(version);
  }
  for (const [rank, version] of ours.entries()) {
    const entry = entries.find((e) => e.version === version)!;
    if (rank < options.keepLatest) continue;
    if (await options.protect?.(name, version)) {
      entry.action = 'protected';
      continue;
    }
    // Hashed only now, for the files about to go: bytes other than the metadata's are kept.
    const { integrity } = await fileIntegrity(entry.files[0]!);
    entry.action = integrity === meta!.versions[version]!.integrity ? 'delete' : 'differs';
  }
  return { name, meta, entries };
}

export async function cleanPacks(options: CleanPacksOptions): Promise<CleanEntry[]> {
  const { packDir, registryDir, cacheDir, keepLatest = 3, dryRun = false, nameFor = (s: string) => s, protect } = options;
  if (!Number.isInteger(keepLatest) || keepLatest < 0) throw new TypeError(`The "keepLatest" option must be a whole number >= 0: ${keepLatest}`);
  const names = await readdir(packDir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? ([] as string[]) : Promise.reject(error)));
  const byStem = new Map<string, Map<string, Found>>();
  for (const file of names.sort()) {
    const parsed = parsePackFile(file);
    if (!parsed) continue; // foreign files are never ours to delete
    const versions = byStem.get(parsed.stem) ?? byStem.set(parsed.stem, new Map()).get(parsed.stem)!;
    const found = versions.get(parsed.version) ?? versions.set(parsed.version, {}).get(parsed.version)!;
    found[parsed.signature ? 'signature' : 'tar'] = file;
  }
  // Decisions and deletions under the lock packing takes, so a tar cannot be replaced between
  // its hash and its deletion; a dry run decides the same way without the lock.
  const run = async (): Promise<CleanEntry[]> => {
    const report: CleanEntry[] = [];
    for (const [stem, versions] of [...byStem].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const { name, meta, entries } = await planModule(packDir, registryDir, stem, versions, { keepLatest, nameFor, protect });
      report.push(...entries);
      const doomed = entries.filter((e) => e.action === 'delete');
      if (dryRun || doomed.length === 0 || !meta) continue;
      for (const entry of doomed) for (const file of entry.files) await rm(file, { force: true });
      const gone = new Set(doomed.map((e) => e.version));
      const left = Object.fromEntries(Object.entries(meta.versions).filter(([v]) => !gone.has(v)));
      const metaFile = path.join(registryDir, `${name}.json`);
      const next = buildMetadata({ name: meta.name, versions: left, info: infoOf(meta), previous: meta });
      if (next) writeMetadata(metaFile, next);
      else await rm(metaFile, { force: true });
    }
    return report;
  };
  return dryRun ? run() : withLock(packLockDir(cacheDir), run);
}
