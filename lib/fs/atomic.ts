import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { chmod, copyFile, lstat, open, readlink, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError, systemError } from '../errors.ts';
import { onInterrupt } from './interrupt.ts';

// One random part per process and a counter: unique across processes (the pid, the random part)
// and within one, without a system call for random bytes per file (400 of them in a pack run).
const TEMP_TAG = randomBytes(4).toString('hex');
let tempCount = 0;

/** A temp name beside `file`, so the final rename stays on one file system (and is atomic). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${TEMP_TAG}${(tempCount++).toString(36)}.tmp`);
}

export interface WriteAtomicOptions {
  /** File mode for a new file. Default 0o644. An existing file keeps its own mode. */
  mode?: number;
}

/** Symlink hops followed before giving up, as the kernel does (ELOOP). */
const MAX_HOPS = 40;

function loopError(file: string): ProvisioningError {
  return new ProvisioningError('OUTPUT_UNWRITABLE', `Cannot write "${file}": too many levels of symbolic links`, { file });
}

/**
 * What a write to `file` really replaces: the file a symlink (chain) leads to, and its stats.
 * Renaming a temp file over the link itself would turn a shared `providers.manifest.yaml`
 * (linked from a dotfiles repo, say) into a private copy; writing to its target keeps the link.
 */
async function resolveTarget(file: string): Promise<{ target: string; stat?: Stats }> {
  let target = file;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const st = await lstat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!st?.isSymbolicLink()) return st ? { target, stat: st } : { target };
    target = path.resolve(path.dirname(target), await readlink(target));
  }
  throw loopError(file);
}

function resolveTargetSync(file: string): { target: string; stat?: Stats } {
  let target = file;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const st = lstatSync(target, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) return st ? { target, stat: st } : { target };
    target = path.resolve(path.dirname(target), readlinkSync(target));
  }
  throw loopError(file);
}

/**
 * Writes `file` so that readers see either the old content or the new, never half of it:
 * write a temp file beside it, flush it, then rename over. On failure the temp file is removed.
 * An existing file keeps its permission bits (a 0600 manifest stays private), and a symlink
 * stays a symlink: the new content replaces the file it leads to.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, { mode = 0o644 }: WriteAtomicOptions = {}): Promise<void> {
  const { target, stat } = await resolveTarget(file);
  const tmp = tempPathFor(target);
  const forget = onInterrupt(() => rmSync(tmp, { force: true }));
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open() applies the umask; the existing file's bits are set explicitly.
    if (stat) await chmod(tmp, stat.mode & 0o7777);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw systemError(error, `write "${target}"`, target, { writing: true });
  } finally {
    forget();
  }
}

export interface WriteAtomicSyncOptions extends WriteAtomicOptions {
  /** Flush to disk before the rename. Default true; false for a cache that can be rebuilt. */
  fsync?: boolean;
}

/**
 * {@link writeFileAtomic} without the thread-pool round trips: for hot loops writing hundreds of
 * small files (packing 200 providers), where each async step costs more than the write itself.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, { mode = 0o644, fsync = true }: WriteAtomicSyncOptions = {}): void {
  const { target, stat } = resolveTargetSync(file);
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeFileSync(fd, data);
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (stat) chmodSync(tmp, stat.mode & 0o7777);
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw systemError(error, `write "${target}"`, target, { writing: true });
  }
}

/** Copies `from` to `to` through a temp file beside `to` and a rename: `to` appears whole or not at all. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  const tmp = tempPathFor(to);
  const forget = onInterrupt(() => rmSync(tmp, { force: true }));
  try {
    await copyFile(from, tmp);
    await rename(tmp, to);
  } catch (error) {
    await rm(tmp, { force: true });
    throw systemError(error, `copy "${from}" to "${to}"`, to, { writing: true });
  } finally {
    forget();
  }
}
