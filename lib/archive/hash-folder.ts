/**
 * Per-file sha256 of a folder, in PACK.json's shape, and the comparison of two such maps:
 * what extraction checks a pack with, and what vendored-drift checks compare a vendored copy
 * with later.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../formats/integrity.ts';
import { PACK_MANIFEST } from '../formats/pack-json.ts';

/** The digest given to anything that is not a regular file, so it never matches a real one. */
export const NOT_A_FILE = 'not-a-regular-file';

export interface HashFolderOptions {
  /** The folder to hash, e.g. `<infra>/vendor/<module>`. Required. */
  dir: string;
  /** Relative paths to leave out. Default `['PACK.json']`. */
  exclude?: readonly string[];
}

/**
 * `{ "relative/path": "<sha256 hex>" }` for every regular file below `dir`, keys sorted, with
 * `/` separators. Symlinks are not followed: they (and devices, sockets…) get {@link NOT_A_FILE}.
 * Empty folders are not listed (PACK.json does not list folders either).
 */
export async function hashFolder({ dir, exclude = [PACK_MANIFEST] }: HashFolderOptions): Promise<Record<string, string>> {
  const skip = new Set(exclude);
  // No prototype: a file named `__proto__` is a key like any other, never a setter.
  const found: Record<string, string> = Object.create(null);
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (skip.has(child)) continue;
      if (entry.isDirectory()) await walk(child);
      else found[child] = entry.isFile() ? await sha256File(path.join(dir, child)) : NOT_A_FILE;
    }
  }
  await walk('');
  const sorted: Record<string, string> = Object.create(null);
  for (const key of Object.keys(found).sort()) sorted[key] = found[key]!;
  return sorted;
}

export interface DigestDifferences {
  /** Listed in `expected`, absent from `actual`. */
  missing: string[];
  /** Present in `actual`, not listed in `expected`. */
  extra: string[];
  /** In both, with different digests. */
  changed: string[];
}

/** What differs between an expected map (PACK.json's `files`) and an actual one; all sorted. */
export function compareDigests(expected: Record<string, string>, actual: Record<string, string>): DigestDifferences {
  const missing = Object.keys(expected).filter((f) => !Object.hasOwn(actual, f)).sort();
  const extra = Object.keys(actual).filter((f) => !Object.hasOwn(expected, f)).sort();
  const changed = Object.keys(expected).filter((f) => Object.hasOwn(actual, f) && actual[f] !== expected[f]).sort();
  return { missing, extra, changed };
}

/** True when nothing is missing, extra or changed. */
export function sameDigests(d: DigestDifferences): boolean {
  return d.missing.length === 0 && d.extra.length === 0 && d.changed.length === 0;
}
