import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * True when a relative path climbs out of the folder it starts in: it is `..` or goes through it.
 * `..` is a segment, not a prefix: `..data.ncl` is a file like any other.
 */
export function leavesFolder(rel: string): boolean {
  return path.isAbsolute(rel) || path.normalize(rel).split(/[\\/]/)[0] === '..';
}

/** True when `child` is `parent` or lies below it (both resolved; no `..` escape). Textual only: see {@link isInsideReal}. */
export function isInside(parent: string, child: string): boolean {
  return !leavesFolder(path.relative(path.resolve(parent), path.resolve(child)));
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (for paths not made yet). */
async function realpathOfExisting(p: string): Promise<string> {
  const rest: string[] = [];
  let current = path.resolve(p);
  for (;;) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      // ENOENT: not made yet; a dangling symlink also lands here, and lstat tells the two apart.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current || (await lstat(current).then(() => true, () => false))) throw error;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * {@link isInside} after following symlinks: true when `child` (or, when it does not exist yet,
 * its nearest existing ancestor) really lies inside `parent`. What must hold before renaming or
 * deleting `child`: a symlinked folder on the way would otherwise lead the change elsewhere.
 * A dangling symlink on the way is not inside (false).
 */
export async function isInsideReal(parent: string, child: string): Promise<boolean> {
  try {
    return isInside(await realpath(parent), await realpathOfExisting(child));
  } catch {
    return false;
  }
}
