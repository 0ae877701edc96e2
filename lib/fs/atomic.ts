import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** A temp name beside `file`, so the final rename stays on one file system (and is atomic). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export interface WriteAtomicOptions {
  /** File mode for a new file. Default 0o644. */
  mode?: number;
}

/**
 * Writes `file` so that readers see either the old content or the new, never half of it:
 * write a temp file beside it, flush it, then rename over. On failure the temp file is removed.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, { mode = 0o644 }: WriteAtomicOptions = {}): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
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
  const tmp = tempPathFor(file);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeFileSync(fd, data);
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
