/**
 * The files of a module folder, as a pack sees them: sorted, junk skipped, read once, and
 * offered as a stream of vinyl files (what `gulp.src(..., { encoding: false })` would give,
 * without globbing, which matters when 200 providers are walked on every run).
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Vinyl from 'vinyl';
import { withPackageVersion } from '../formats/toml/package-version.ts';
import { isJunk } from './rules.ts';

export interface SourceFile {
  /** `/`-separated path inside the module folder. */
  rel: string;
  abs: string;
  stat: Stats;
  /** Filled by {@link readSources}. */
  contents?: Buffer;
  /** Hex sha256 of `contents`, once something needed it (the cache's content key, then PACK.json). */
  sha256?: string;
}

export interface ListSourcesResult {
  files: SourceFile[];
  /** Paths not packed, with why (symlinks, sockets…). */
  skipped: { rel: string; reason: string }[];
}

/**
 * Every regular file under `dir`, byte-sorted by path, without `.git`, editor or OS junk.
 * Synchronous on purpose: thousands of tiny stats and reads are several times faster on the
 * main thread than as promises queued on libuv's four-thread pool (see BENCHMARKS.md).
 */
export async function listSources(dir: string): Promise<ListSourcesResult> {
  return listSourcesSync(dir);
}

const byPath = (a: { rel: string }, b: { rel: string }) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/**
 * {@link listSources}, synchronously: what a warm `pack:providers` spends most of its time in
 * (one `lstat` per file is the floor: an edit in place changes no folder's mtime). Entry types
 * come from `readdir` (`d_type`), so folders and links cost no `lstat`; only a regular file's
 * stats (size, times, mode, inode) are asked for, and its type is re-checked on them.
 */
export function listSourcesSync(dir: string): ListSourcesResult {
  const files: SourceFile[] = [];
  const skipped: ListSourcesResult['skipped'] = [];
  const root = path.resolve(dir);
  const sep = path.sep;
  const walk = (rel: string, absDir: string): void => {
    for (const entry of readdirSync(absDir, { withFileTypes: true })) {
      const name = entry.name;
      if (isJunk(name)) continue;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const abs = `${absDir}${sep}${name}`; // path.join, minus its normalising
      if (entry.isDirectory()) walk(childRel, abs);
      else if (entry.isFile()) {
        const stat = lstatSync(abs, { throwIfNoEntry: false });
        if (stat === undefined) continue; // gone since the readdir: not there to pack
        if (stat.isFile()) files.push({ rel: childRel, abs, stat });
        else if (stat.isDirectory()) walk(childRel, abs);
        else skipped.push({ rel: childRel, reason: stat.isSymbolicLink() ? 'symbolic links are not packed' : 'not a regular file' });
      } // A link could point anywhere (outside the tree, at a secret); packs hold files only.
      else skipped.push({ rel: childRel, reason: entry.isSymbolicLink() ? 'symbolic links are not packed' : 'not a regular file' });
    }
  };
  walk('', root);
  return { files: files.sort(byPath), skipped: skipped.length > 1 ? skipped.sort(byPath) : skipped };
}

/**
 * Reads every file's bytes (synchronously, see {@link listSources}) into one buffer per call,
 * each file a view of it at the size its `lstat` gave: one allocation for a module instead of
 * one per file (8,000 small buffers in a pack run cost more in garbage collection than the
 * reads), and no `fstat` per file. A file whose size changed since is read whole on its own.
 */
export async function readSources(files: SourceFile[]): Promise<SourceFile[]> {
  const pending = files.filter((f) => f.contents === undefined);
  const block = Buffer.allocUnsafeSlow(pending.reduce((n, f) => n + f.stat.size, 0));
  let at = 0;
  for (const file of pending) {
    const view = block.subarray(at, at + file.stat.size);
    at += file.stat.size;
    file.contents = readInto(file.abs, view) ? view : readFileSync(file.abs);
  }
  return files;
}

const probe = Buffer.alloc(1);

/** Fills `view` with the file's bytes; false when the file is not exactly that long any more. */
function readInto(file: string, view: Buffer): boolean {
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < view.length) {
      const n = readSync(fd, view, got, view.length - got, got);
      if (n === 0) return false;
      got += n;
    }
    return readSync(fd, probe, 0, 1, got) === 0;
  } finally {
    closeSync(fd);
  }
}

/** The files as vinyl objects (base = the module folder), binary-safe Buffers. */
export function sourceStream(dir: string, files: readonly SourceFile[]): Readable {
  return Readable.from(
    files.map((f) => new Vinyl({ cwd: dir, base: dir, path: path.join(dir, f.rel), contents: f.contents ?? null, stat: f.stat })),
    { objectMode: true },
  );
}

/**
 * Sets the packed bytes of the module's top-level manifest (`manifest.toml`, `kcl.mod`) to carry
 * `version`, after the files are read and before anything hashes them (cache keys, PACK.json).
 */
export function stampManifest(files: SourceFile[], manifest: string, version: string): void {
  const file = files.find((f) => f.rel === manifest);
  if (!file?.contents) return;
  const text = file.contents.toString('utf8');
  const next = withPackageVersion(text, version);
  if (next === text) return;
  file.contents = Buffer.from(next, 'utf8');
  delete file.sha256;
}
