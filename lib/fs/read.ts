/**
 * Reading a file that may not be there: its content, or undefined when it (or a folder on the
 * way) does not exist. Any other failure (EACCES, EIO) is thrown: unreadable is not absent.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

function absent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (absent(error)) return undefined;
    throw error;
  }
}

/**
 * Synchronous, for hot loops (200 providers' manifests, a tar per pack) where each async read
 * costs a thread-pool round trip worth more than the read itself (BENCHMARKS.md).
 */
export function readIfExistsSync(file: string): Buffer | undefined;
export function readIfExistsSync(file: string, encoding: 'utf8'): string | undefined;
export function readIfExistsSync(file: string, encoding?: 'utf8'): Buffer | string | undefined {
  try {
    return encoding ? readFileSync(file, encoding) : readFileSync(file);
  } catch (error) {
    if (absent(error)) return undefined;
    throw error;
  }
}
