/**
 * The pack cache under `cache_path`: for each artifact, the keys of the inputs it was made
 * from. A re-run first compares a cheap key made from the files' stats (no file is read); when
 * that differs (a touched file, a fresh clone) it hashes the contents; only a new content key
 * rebuilds the pack. A key covers the file list and bytes, the version and the tool settings.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic.ts';
import { sha256Hex } from './rules.ts';
import type { SourceFile } from './source.ts';

export interface CacheRecord {
  /** Hash of settings + version + every file's path, size, mtime, mode and inode. */
  statKey: string;
  /** Hash of settings + version + every file's path, executable bit and sha256. */
  contentKey: string;
  /** The artifact as it was written: a changed or missing tar invalidates the record. */
  tar: { file: string; size: number; mtimeMs: number; integrity: string };
}

/** The record's file: named after the artifact path, so `--output` elsewhere has its own. */
export function cacheFileFor(cacheDir: string, tarFile: string): string {
  return path.join(cacheDir, 'pack', `${path.basename(tarFile, '.tar')}-${sha256Hex(path.resolve(tarFile)).slice(0, 16)}.json`);
}

export function statKey(settings: string, files: readonly SourceFile[]): string {
  const lines = files.map((f) => `${f.rel}\0${f.stat.size}\0${f.stat.mtimeMs}\0${f.stat.mode}\0${f.stat.ino}`);
  return sha256Hex(`${settings}\n${lines.join('\n')}`);
}

export function contentKey(settings: string, files: readonly SourceFile[]): string {
  const lines = files.map((f) => `${f.rel}\0${(f.stat.mode & 0o111) !== 0 ? 'x' : '-'}\0${sha256Hex(f.contents!)}`);
  return sha256Hex(`${settings}\n${lines.join('\n')}`);
}

export async function readCache(file: string): Promise<CacheRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as CacheRecord;
    return typeof record?.statKey === 'string' && typeof record.tar?.integrity === 'string' ? record : undefined;
  } catch {
    return undefined; // missing or damaged: the cache is only ever a shortcut
  }
}

/** True when the tar the record describes is still there, unchanged (size and mtime). */
export async function tarIntact(record: CacheRecord, tarFile: string): Promise<boolean> {
  if (path.resolve(record.tar.file) !== path.resolve(tarFile)) return false;
  try {
    const st = await stat(tarFile);
    return st.size === record.tar.size && st.mtimeMs === record.tar.mtimeMs;
  } catch {
    return false;
  }
}

export async function writeCache(file: string, record: CacheRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(record) + '\n');
}
