import { existsSync } from 'node:fs';
import { lstat, readlink, realpath, rmdir, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';

/** What is at a link's path. */
export type LinkState =
  | { kind: 'absent' }
  /** `target` as stored; `resolved` is it made absolute; `exists` whether it leads anywhere. */
  | { kind: 'symlink'; target: string; resolved: string; exists: boolean; real?: string }
  /** A real file or folder: never ours to replace or delete. */
  | { kind: 'other'; type: 'directory' | 'file' };

export async function inspectLink(linkPath: string): Promise<LinkState> {
  let stat;
  try {
    stat = await lstat(linkPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return { kind: 'absent' };
    throw error;
  }
  if (!stat.isSymbolicLink()) return { kind: 'other', type: stat.isDirectory() ? 'directory' : 'file' };
  const target = await readlink(linkPath);
  const resolved = path.resolve(path.dirname(linkPath), target);
  const exists = existsSync(linkPath);
  const state: LinkState = { kind: 'symlink', target, resolved, exists };
  if (exists) state.real = await realpath(linkPath);
  return state;
}

/** True when `state` is a symlink leading to `moduleDir` (however it spells the path). */
export function linksTo(state: LinkState, moduleDir: string): boolean {
  return state.kind === 'symlink' && state.resolved === path.resolve(moduleDir);
}

/** Creates a relative directory symlink (`dir` only matters on Windows, where it is a junction hint). */
export async function createLink(linkPath: string, target: string): Promise<void> {
  await symlink(target, linkPath, 'dir');
}

/** Removes a symlink, never what it points to (the caller checked it is one). */
export async function removeLink(linkPath: string): Promise<void> {
  await unlink(linkPath);
}

/** Removes `dir` when it is empty; anything else (not empty, absent) leaves it as it is. */
export async function removeIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}
