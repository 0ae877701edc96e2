/**
 * The pack cache under `cache_path`: for each artifact, the keys of the inputs it was made
 * from. A re-run first compares a cheap key made from the files' stats (no file is read); when
 * that differs (a touched file, a fresh clone) it hashes the contents; only a new content key
 * rebuilds the pack. A key covers the file list and bytes, the version and the tool settings.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic.ts';
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

export function statKey(settings: string, files: readonly SourceFile[]): string {
  const lines = files.map((f) => `${f.rel}\0${f.stat.size}\0${f.stat.mtimeMs}\0${f.stat.mode}\0${f.stat.ino}`);
  return sha256Hex(`${settings}\n${lines.join('\n')}`);
}

/** Also leaves each file's sha256 on it, for PACK.json: every file is hashed once per pack. */
export function contentKey(settings: string, files: SourceFile[]): string {
  const lines = files.map((f) => `${f.rel}\0${(f.stat.mode & 0o111) !== 0 ? 'x' : '-'}\0${(f.sha256 ??= sha256Hex(f.contents!))}`);
  return sha256Hex(`${settings}\n${lines.join('\n')}`);
}

/**
 * All records of one cache folder in a single file, `<cache>/pack-index.json`, keyed by the
 * artifact's path: one read and one write per run instead of one per package. Two runs saving
 * at once can only lose records, which costs a content hash later, never a wrong answer.
 */
export class PackCache {
  private dirty = false;
  private constructor(readonly file: string, private readonly records: Record<string, CacheRecord>) {}

  static open(cacheDir: string): PackCache {
    const file = path.join(cacheDir, 'pack-index.json');
    let records: Record<string, CacheRecord> = {};
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: number; records?: Record<string, CacheRecord> };
      if (data.format === 1 && data.records && typeof data.records === 'object') records = data.records;
    } catch {
      // missing or damaged: the cache is only ever a shortcut
    }
    return new PackCache(file, records);
  }

  get(tarFile: string): CacheRecord | undefined {
    const record = this.records[path.resolve(tarFile)];
    return typeof record?.statKey === 'string' && typeof record.tar?.integrity === 'string' ? record : undefined;
  }

  set(tarFile: string, record: CacheRecord): void {
    this.records[path.resolve(tarFile)] = record;
    this.dirty = true;
  }

  delete(tarFile: string): void {
    const key = path.resolve(tarFile);
    if (!Object.hasOwn(this.records, key)) return;
    delete this.records[key];
    this.dirty = true;
  }

  /** Not flushed to disk: a record lost in a crash only costs one rebuild. */
  save(): void {
    if (!this.dirty) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomicSync(this.file, JSON.stringify({ format: 1, records: this.records }) + '\n', { fsync: false });
    this.dirty = false;
  }
}

/** True when the tar the record describes is still there, unchanged (size and mtime). */
export function tarIntact(record: CacheRecord, tarFile: string): boolean {
  if (path.resolve(record.tar.file) !== path.resolve(tarFile)) return false;
  try {
    const st = statSync(tarFile);
    return st.size === record.tar.size && st.mtimeMs === record.tar.mtimeMs;
  } catch {
    return false;
  }
}
