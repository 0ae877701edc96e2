import path from 'node:path';

/** True when `child` is `parent` or lies below it (both resolved; no `..` escape). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
