import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { onInterrupt } from './interrupt.ts';

export interface LockOptions {
  /** Give up after this many milliseconds. Default 15000. */
  timeoutMs?: number;
  /** A lock with no owner file older than this is taken over. Default 30000. */
  staleMs?: number;
}

/**
 * The lock is a folder `.provisioning.lock` holding `owner` (`<pid> <random token>`). It appears
 * with its owner already inside: made as a private temp folder beside it, then renamed into place;
 * renaming a folder onto an existing, non-empty one fails, so exactly one contender wins, and
 * nobody ever sees a lock without its owner.
 *
 * Taking over a lock whose owner process is dead is the racy part: two contenders may judge it
 * stale at once, and "check, then remove" lets the slower one remove the lock the faster one has
 * just taken. So a taker first claims that very lock by creating `takeover` inside it (`wx`:
 * only one succeeds per lock), then re-reads the owner: only when it is still the one it judged
 * stale does it rename the lock aside (to a unique name) and delete it. A holder releases only a
 * lock whose token is still its own, again by renaming it aside first, so a straggler writing a
 * `takeover` file into it cannot make the delete fail.
 */
const LOCK_NAME = '.provisioning.lock';
const OWNER = 'owner';
const TAKEOVER = 'takeover';

function ownerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unique(lockDir: string, what: string): string {
  return `${lockDir}.${what}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** The owner file's text; undefined when the lock (or its owner file) is not there. */
async function readOwner(lockDir: string): Promise<string | undefined> {
  return readFile(path.join(lockDir, OWNER), 'utf8').catch(() => undefined);
}

function pidOf(owner: string): number {
  return Number(owner.trim().split(/\s+/)[0]);
}

/** Stale: its owner process is gone, or (a lock with no readable owner) it is older than `staleMs`. */
async function isStale(lockDir: string, owner: string | undefined, staleMs: number): Promise<boolean> {
  const pid = owner === undefined ? NaN : pidOf(owner);
  if (Number.isInteger(pid) && pid > 0) return pid !== process.pid && !ownerAlive(pid);
  const st = await stat(lockDir).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > staleMs;
}

/** One attempt at creating the lock; false when another holds it. */
async function tryCreate(lockDir: string, owner: string): Promise<boolean> {
  const incoming = unique(lockDir, 'incoming');
  await mkdir(incoming);
  try {
    await writeFile(path.join(incoming, OWNER), owner);
    await rename(incoming, lockDir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EEXIST/ENOTEMPTY: a lock is there (Linux, macOS); EPERM: the same on Windows; ENOTDIR: a file.
    if (code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'EPERM' || code === 'ENOTDIR') return false;
    throw error;
  } finally {
    await rm(incoming, { recursive: true, force: true }).catch(() => {});
  }
}

/** Removes a lock folder already renamed aside (nobody can be waiting on that name). */
async function discard(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
}

/** Takes over the lock whose owner text was `seen`, judged stale; does nothing if it changed since. */
async function takeOver(lockDir: string, seen: string | undefined): Promise<void> {
  const claim = path.join(lockDir, TAKEOVER);
  try {
    await writeFile(claim, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') await clearDeadClaim(claim);
    return; // another taker is at it (or the lock just went): look again
  }
  let moved = false;
  try {
    if ((await readOwner(lockDir)) !== seen) return; // not the lock judged stale any more
    const aside = unique(lockDir, 'stale');
    await rename(lockDir, aside);
    moved = true;
    await discard(aside);
  } finally {
    if (!moved) await unlink(claim).catch(() => {});
  }
}

/**
 * A `takeover` claim left by a taker that died within its few microseconds: cleared so the lock can
 * be taken over. (Two contenders clearing the same dead claim at once is the one case not made
 * exclusive; it needs a crash inside a takeover first.)
 */
async function clearDeadClaim(claim: string): Promise<void> {
  const text = await readFile(claim, 'utf8').catch(() => '');
  const pid = pidOf(text);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !ownerAlive(pid)) await unlink(claim).catch(() => {});
}

/** Releases the lock if it is still ours (by token); never removes another holder's lock. */
async function release(lockDir: string, owner: string): Promise<void> {
  if ((await readOwner(lockDir)) !== owner) return;
  const aside = unique(lockDir, 'released');
  try {
    await rename(lockDir, aside);
  } catch {
    return;
  }
  await discard(aside);
}

/**
 * Runs `fn` while holding an exclusive lock on `dir` (a `.provisioning.lock` folder inside it).
 * Processes editing one infra at once queue up instead of losing each other's entries.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>, { timeoutMs = 15000, staleMs = 30000 }: LockOptions = {}): Promise<T> {
  const lockDir = path.join(dir, LOCK_NAME);
  const owner = `${process.pid} ${randomBytes(12).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  let wait = 5;
  while (!(await tryCreate(lockDir, owner))) {
    const seen = await readOwner(lockDir);
    if (await isStale(lockDir, seen, staleMs)) {
      await takeOver(lockDir, seen);
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
  // Ctrl-C or a kill while holding it: the lock goes with the process, not left for the next run.
  const forget = onInterrupt(() => release(lockDir, owner));
  try {
    return await fn();
  } finally {
    forget();
    await release(lockDir, owner);
  }
}
