import { randomBytes } from 'node:crypto';
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
