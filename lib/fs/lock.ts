import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';

export interface LockOptions {
  /** Give up after this many milliseconds. Default 15000. */
  timeoutMs?: number;
  /** A lock older than this whose owner is gone is taken over. Default 30000. */
  staleMs?: number;
}

function ownerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockDir: string, staleMs: number): Promise<boolean> {
  try {
    const pid = Number(await readFile(path.join(lockDir, 'owner'), 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !ownerAlive(pid)) return true;
    return Date.now() - (await stat(lockDir)).mtimeMs > staleMs && !(Number.isInteger(pid) && ownerAlive(pid));
  } catch {
    return false; // being created or removed right now: not ours to judge
  }
}

/**
 * Runs `fn` while holding an exclusive lock on `dir` (a `.provisioning.lock` folder inside it;
 * `mkdir` is atomic on every file system we care about, unlike "check then create"). Processes
 * editing one infra at once queue up instead of losing each other's entries.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>, { timeoutMs = 15000, staleMs = 30000 }: LockOptions = {}): Promise<T> {
  const lockDir = path.join(dir, '.provisioning.lock');
  const deadline = Date.now() + timeoutMs;
  let wait = 5;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lockDir, staleMs)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ProvisioningError('LOCK_TIMEOUT', `Cannot lock "${dir}": another task holds ${lockDir}`, {
          hint: 'wait for the other task, or remove the lock folder if no task is running',
          file: lockDir,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
      wait = Math.min(wait * 2, 100);
    }
  }
  try {
    await writeFile(path.join(lockDir, 'owner'), String(process.pid));
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
