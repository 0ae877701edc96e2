/**
 * The pack cache under `cache_path`: for each artifact, the keys of the inputs it was made
 * from. A re-run first compares a cheap key made from the files' stats (no file is read); when
 * that differs (a touched file, a fresh clone) it hashes the contents; only a new content key
 * rebuilds the pack. A key covers the file list and bytes, the version and the tool settings.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic.ts';
import { sha256Hex } from '../formats/integrity.ts';
import type { SourceFile } from './source.ts';

/** What identifies one version of a file without reading it (a rewrite or `touch` changes ctime). */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export interface CacheRecord {
  /** Hash of settings + version + every file's path, size, mtime, ctime, mode and inode. */
  statKey: string;
  /** Hash of settings + version + every file's path, executable bit and sha256. */
  contentKey: string;
  /** The artifact as it was written: a changed or missing tar invalidates the record. */
  tar: { file: string; size: number; mtimeMs: number; integrity: string } & Partial<FileStamp>;
  /**
   * The metadata file as it was when it last named this tar's integrity for this version, and
   * what it said of `exported`: while it is unchanged it need not be read again. Absent in
   * older records (then the file is read).
   */
  metadata?: FileStamp & { exported: boolean };
}

export function stampOf(st: Stats): FileStamp {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

export function sameStamp(st: Stats | undefined, stamp: Partial<FileStamp> | undefined): boolean {
  return st !== undefined && stamp !== undefined && st.size === stamp.size && st.mtimeMs === stamp.mtimeMs && st.ctimeMs === stamp.ctimeMs && st.ino === stamp.ino;
}

// Reused across calls: the stat key is computed for every package on every run.
let numbers = new Float64Array(1024);

/**
 * The files' stats in one hash, with no string per file: the paths joined, then their numbers
 * (size, mtime, ctime, mode, inode) as raw doubles. ctime is in because an edit that puts the
 * old mtime back (`touch -r`, some editors, archive tools) still moves it, as git's index uses it.
 */
export function statKey(settings: string, files: readonly SourceFile[]): string {
  const n = files.length;
  if (numbers.length < n * 5) numbers = new Float64Array(Math.max(n * 5, numbers.length * 2));
  let names = '';
  for (let i = 0, j = 0; i < n; i++, j += 5) {
    const f = files[i]!;
    const st = f.stat;
    names += `${f.rel}\0`;
    numbers[j] = st.size;
    numbers[j + 1] = st.mtimeMs;
    numbers[j + 2] = st.ctimeMs;
    numbers[j + 3] = st.mode;
    numbers[j + 4] = st.ino;
  }
  return createHash('sha256').update(`2\n${settings}\n${n}\n`).update(names).update(new Uint8Array(numbers.buffer, 0, n * 5 * 8)).digest('hex');
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

/** True when the tar the record describes is still there, unchanged (size, mtime, ctime, inode). */
export function tarIntact(record: CacheRecord, tarFile: string): boolean {
  if (record.tar.file !== tarFile && path.resolve(record.tar.file) !== path.resolve(tarFile)) return false;
  try {
    return sameStamp(statSync(tarFile, { throwIfNoEntry: false }), record.tar);
  } catch {
    return false;
  }
}
