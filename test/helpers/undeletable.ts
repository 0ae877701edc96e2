/**
 * Makes a file impossible to delete, to make a real delete fail part-way (what EACCES, EBUSY or
 * a file held open on Windows do to users): `chattr +i` as root (root ignores permissions),
 * else a read-only parent folder. Returns the undo, or undefined when this machine can do neither
 * (the calling test then says so and stops). Always undo in `finally`: the temp tree must go.
 */
import { execFileSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import path from 'node:path';

/** The undo takes the file's path now, when the folder holding it was moved since. */
export type Undo = (now?: string) => Promise<void>;

export async function undeletable(file: string): Promise<Undo | undefined> {
  if (process.getuid?.() === 0) {
    try {
      execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    } catch {
      return undefined; // no chattr, or a file system without the immutable flag
    }
    return async (now = file) => {
      execFileSync('chattr', ['-i', now], { stdio: 'ignore' });
    };
  }
  await chmod(path.dirname(file), 0o555);
  return (now = file) => chmod(path.dirname(now), 0o755);
}
