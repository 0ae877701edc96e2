/**
 * Packs one module into `<out>/<stem>_<version>.tar` and records it in the registry metadata.
 * A version is immutable: other bytes under a packed version are `PACK_EXISTS` unless `force`.
 */
import { mkdirSync, rmSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { type Problem, ProvisioningError } from '../errors.ts';
import { writeFileAtomicSync } from '../fs/atomic.ts';
import { readIfExistsSync } from '../fs/read.ts';
import { withLock } from '../fs/lock.ts';
import { Transaction } from '../fs/transaction.ts';
import { buildPack } from './build.ts';
import { type CacheRecord, contentKey, PackCache, sameStamp, stampOf, statKey, tarIntact } from './cache.ts';
import type { ExportPlan } from './export-plan.ts';
import { buildMetadata, formatCreated, type PackInfo, readMetadata, writeMetadata } from '../formats/metadata.ts';
import { sri } from '../formats/integrity.ts';
import { packMtime } from './rules.ts';
import { compareTars, describeDifference } from './tar-compare.ts';
import { listSourcesSync, readSources, type SourceFile, stampManifest } from './source.ts';
import { LANGUAGES } from '../tree/providers.ts';
import { CORE_STEM, type PackTarget } from './target.ts';

/** Bumped whenever the tar layout changes, so older cache records stop matching. */
const PACK_FORMAT = 1;

/**
 * Tars and metadata are renamed into place without an fsync of the temp file first. The rename
 * is what keeps readers safe (they see the old file or the new one, never half of one) and a
 * failed write leaves only a temp file, removed. The flush would add durability across a power
 * cut or kernel crash, and it cost more than all the rest of a cold `pack:providers` (one journal
 * commit per file, ~400 per run; see BENCHMARKS.md). npm's cacache and pnpm's content store make
 * the same trade: they write a temp file and rename it, unflushed. What a crash right after a
 * pack can leave: a tar that is empty or short. The cache sees its size changed, `pack:verify`
 * reports INTEGRITY_MISMATCH, and re-packing that version reports PACK_EXISTS until `--force`.
 */
const FLUSH = false;

export type PackStatus = 'packed' | 'up-to-date' | 'replaced';

export interface PackResult {
  name: string;
  version: string;
  file: string;
  status: PackStatus;
  size: number;
  integrity: string;
  exported: boolean;
  /** Files left out (links…), for people to see. */
  skipped: { rel: string; reason: string }[];
  /** Coded warnings about the module, e.g. NAME_MISMATCH. */
  warnings: Problem[];
  /**
   * `<tar>.minisig` removed because the tar it signed was replaced (a stale signature would only
   * fail pack:verify); a signing `afterPack` writes a new one. Absent when there was none.
   */
  removedSignature?: string;
  /**
   * For people: e.g. the packed tar was kept because only its entries' mtime differs from this
   * run's (another SOURCE_DATE_EPOCH); its content is identical. Absent when there is nothing to say.
   */
  note?: string;
}

export interface AfterPackContext {
  /**
   * The tar's bytes as this run builds them from the sources, checked equal to the file on disk:
   * what a signer may sign. A pack found up to date from the cache and metadata alone is rebuilt
   * in memory for this (those records are files anyone who can write distribution/ can forge);
   * a tar on disk holding other bytes is PACK_EXISTS, and its cache record is dropped.
   */
  verifiedBytes(): Promise<Buffer>;
}

export interface PackModuleOptions {
  target: PackTarget;
  /** Export decision, from {@link exportPlan}. Required. */
  plan: ExportPlan;
  /** Folder the tar goes to (`pack_path` or `--output`). Required. */
  outDir: string;
  /** Folder of the metadata files (`registry_path`). Required. */
  registryDir: string;
  /** `cache_path`. Required. */
  cacheDir: string;
  /** `[distribution.metadata]`. Required. */
  info: PackInfo;
  /** Overwrite a packed version whose content changed. Default false. */
  force?: boolean;
  /** Entry mtime in seconds. Default: SOURCE_DATE_EPOCH, else the fixed date. */
  mtime?: number;
  /** The clock, for `created`. Default `() => new Date()`. */
  now?: () => Date;
  /** Runs after a pack is written or found up to date (signing hooks in here). Default none. */
  afterPack?: (result: PackResult, context: AfterPackContext) => Promise<void>;
  /**
   * Take the registry lock (`<cache>/locks`) around the write. Default true; `packAll` takes
   * it once for the whole run and passes false.
   */
  lock?: boolean;
  /** The cache index, when the caller shares one across packages (and saves it). Default: opened and saved here. */
  cache?: PackCache;
  /** Folders already made and checked in this run (`packAll` shares one set). Default: none, all three are checked. */
  readyDirs?: Set<string>;
}

/** The lock folder shared by packing and cleaning one registry. */
export function packLockDir(cacheDir: string): string {
  const dir = path.join(cacheDir, 'locks');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// File system calls below are synchronous on purpose: per package they are a dozen tiny
// operations, and each async one costs a thread-pool round trip worth more than the syscall.
function ensureDir(dir: string, what: string, ready: Set<string> | undefined): void {
  if (ready?.has(dir)) return;
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new ProvisioningError('OUTPUT_UNWRITABLE', `Cannot write ${what} to "${dir}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      file: dir,
      hint: 'pass --output DIR with a folder you can write, or fix its permissions',
      cause: error,
    });
  }
  ready?.add(dir);
}

function statIfExists(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Reads the sources; the packed manifest carries the packed version (see packed-manifest.ts). */
async function readPackSources(files: SourceFile[], target: PackTarget): Promise<void> {
  await readSources(files);
  stampManifest(files, LANGUAGES[target.language].manifest, target.version);
}

export async function packModule(options: PackModuleOptions): Promise<PackResult> {
  const { target, plan, outDir, registryDir, cacheDir, info, force = false, now = () => new Date(), afterPack, lock = true } = options;
  const cache = options.cache ?? PackCache.open(cacheDir);
  const mtime = options.mtime ?? packMtime();
  const tarFile = path.join(outDir, `${target.stem}_${target.version}.tar`);
  const metaFile = path.join(registryDir, `${target.name}.json`);
  ensureDir(outDir, 'packages', options.readyDirs);
  ensureDir(registryDir, 'metadata', options.readyDirs);
  ensureDir(cacheDir, 'the pack cache', options.readyDirs);

  const settings = JSON.stringify({ PACK_FORMAT, name: target.name, stem: target.stem, version: target.version, mtime, bin: plan.bin ?? null, exports: target.exports ?? null });
  const { files, skipped } = listSourcesSync(target.dir);
  const record = force ? undefined : cache.get(tarFile);
  const base = { name: target.name, version: target.version, file: tarFile, exported: plan.exported, skipped, warnings: target.warnings ?? [] };
  const sKey = statKey(settings, files);

  // The tar unchanged (one stat), and the metadata naming its integrity for this version: read
  // only when the file changed since it last did (one stat otherwise).
  const upToDate = async (r: CacheRecord): Promise<PackResult | undefined> => {
    if (!tarIntact(r, tarFile)) return undefined;
    const metaStat = statIfExists(metaFile);
    let exported = r.metadata?.exported;
    if (typeof exported !== 'boolean' || !sameStamp(metaStat, r.metadata)) {
      const entry = readMetadata(metaFile)?.versions[target.version];
      if (entry?.integrity !== r.tar.integrity) return undefined;
      exported = entry.exported;
      // The stat taken before the read: a change after it makes the next run read again.
      if (metaStat) cache.set(tarFile, { ...r, metadata: { ...stampOf(metaStat), exported } });
    }
    return { ...base, status: 'up-to-date', size: r.tar.size, integrity: r.tar.integrity, exported };
  };
  const finish = async (result: PackResult, verifiedBytes: () => Promise<Buffer>) => {
    if (!options.cache) cache.save();
    if (afterPack) await afterPack(result, { verifiedBytes });
    return result;
  };
  // For a pack found up to date without building it: rebuild, and compare with the disk.
  const rebuilt = async (): Promise<Buffer> => {
    await readPackSources(files, target);
    const fresh = await buildPack({ target, files, plan, mtime });
    const onDisk = readIfExistsSync(tarFile);
    // Packed under another SOURCE_DATE_EPOCH but the same content: the bytes on disk are the pack.
    const kind = onDisk === undefined ? 'missing' : (await compareTars(onDisk, fresh, target.stem)).kind;
    if (kind === 'mtime') return onDisk!;
    if (kind !== 'same') {
      cache.delete(tarFile);
      if (!options.cache) cache.save();
      throw new ProvisioningError(
        'PACK_EXISTS',
        `Cannot use ${target.name} ${target.version}: "${tarFile}" holds other bytes than its sources build, though the pack cache and metadata say it is up to date`,
        {
          file: tarFile,
          hint: 'it was changed outside this tool: inspect it, then pass --force to rebuild it from the sources',
        },
      );
    }
    return fresh;
  };

  // 1. Nothing touched since the last run: no file is read.
  if (record?.statKey === sKey) {
    const hit = await upToDate(record);
    if (hit) return finish(hit, rebuilt);
  }
  // 2. Same bytes (a touched file, a fresh checkout): hash, but do not rebuild.
  await readPackSources(files, target);
  const cKey = contentKey(settings, files);
  if (record?.contentKey === cKey) {
    const hit = await upToDate(record);
    if (hit) {
      cache.set(tarFile, { ...(cache.get(tarFile) ?? record), statKey: sKey });
      return finish(hit, rebuilt);
    }
  }
  // 3. Build, then write under the registry lock so two runs cannot interleave.
  const built = await buildPack({ target, files, plan, mtime });
  // What ends up on disk: the fresh build, or the packed tar when only its mtime differs.
  let tar = built;
  let integrity = sri(tar);
  let note: string | undefined;
  const write = async (): Promise<PackResult> => {
    const existing = readIfExistsSync(tarFile);
    let same = existing !== undefined && existing.equals(tar);
    if (existing && !same && !force) {
      const comparison = await compareTars(existing, tar, target.stem);
      if (comparison.kind === 'mtime') {
        // The version is immutable and its content identical: keep the packed bytes (and their integrity).
        tar = existing;
        integrity = sri(tar);
        same = true;
        note = `${target.name} ${target.version}: kept the packed tar; its entries' mtime (${isoSeconds(comparison.mtime)}) differs from this run's (${
          isoSeconds(mtime)
        }, SOURCE_DATE_EPOCH or the fixed date), its content is identical`;
      } else {
        const what = comparison.kind === 'content' ? describeDifference(comparison.files) : 'its bytes differ';
        throw new ProvisioningError(
          'PACK_EXISTS',
          `Cannot pack ${target.name} ${target.version}: "${tarFile}" already holds other content (${what}), and a packed version is immutable`,
          {
            file: tarFile,
            hint: `bump [package] version (or pack with --ver), or run \`npx gulp ${
              target.stem === CORE_STEM ? 'pack:core' : `pack:provider --provider ${target.stem.replace(/_prov$/, '')}`
            } --ver ${target.version} --force\` to replace it`,
          },
        );
      }
    }
    const previous = readMetadata(metaFile);
    const old = previous?.versions[target.version];
    const status: PackStatus = same ? 'up-to-date' : existing ? 'replaced' : 'packed';
    const entry = {
      package_file: tarFile,
      integrity,
      size: tar.length,
      created: same && old?.integrity === integrity ? old.created : formatCreated(now()),
      exported: plan.exported,
    };
    // Tar, then metadata, in one transaction: a failed metadata write leaves the package folder
    // as it was (the old tar back, or no new tar at all).
    await Transaction.run(async (tx) => {
      if (!same) {
        await tx.step(
          'tar',
          async () => writeFileAtomicSync(tarFile, tar, { fsync: FLUSH }),
          async () => existing ? writeFileAtomicSync(tarFile, existing, { fsync: FLUSH }) : rmSync(tarFile, { force: true }),
        );
      }
      if (!same || JSON.stringify(old) !== JSON.stringify(entry)) {
        const versions = { ...previous?.versions, [target.version]: entry };
        writeMetadata(metaFile, buildMetadata({ name: target.name, versions, info, previous })!, { fsync: FLUSH });
      }
    });
    // The old tar's signature signs bytes that no longer exist: it goes (a signer writes anew).
    const signatureFile = `${tarFile}.minisig`;
    let removedSignature: string | undefined;
    if (status === 'replaced' && readIfExistsSync(signatureFile) !== undefined) {
      rmSync(signatureFile, { force: true });
      removedSignature = signatureFile;
    }
    return { ...base, status, size: tar.length, integrity, ...(removedSignature ? { removedSignature } : {}), ...(note ? { note } : {}) };
  };
  const result = lock ? await withLock(packLockDir(cacheDir), write) : await write();
  const st = statSync(tarFile);
  const metaStat = statIfExists(metaFile);
  cache.set(tarFile, {
    statKey: sKey,
    contentKey: cKey,
    tar: { file: tarFile, ...stampOf(st), integrity },
    ...(metaStat ? { metadata: { ...stampOf(metaStat), exported: result.exported } } : {}),
  });
  return finish(result, async () => tar);
}

/** `2023-11-14T22:13:20Z` for an mtime in seconds. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
