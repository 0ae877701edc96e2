/**
 * The files of a module folder, as a pack sees them: sorted, junk skipped, read once, and
 * offered as a stream of vinyl files (what `gulp.src(..., { encoding: false })` would give,
 * without globbing, which matters when 200 providers are walked on every run).
 */
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Vinyl from 'vinyl';
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
  const files: SourceFile[] = [];
  const skipped: ListSourcesResult['skipped'] = [];
  const root = path.resolve(dir);
  const walk = (rel: string): void => {
    for (const name of readdirSync(rel ? `${root}/${rel}` : root)) {
      if (isJunk(name)) continue;
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = `${root}${path.sep}${path.sep === '/' ? childRel : childRel.replaceAll('/', path.sep)}`; // path.join, minus its normalising
      const stat = lstatSync(abs);
      if (stat.isDirectory()) walk(childRel);
      else if (stat.isFile()) files.push({ rel: childRel, abs, stat });
      // A link could point anywhere (outside the tree, at a secret); packs hold files only.
      else skipped.push({ rel: childRel, reason: stat.isSymbolicLink() ? 'symbolic links are not packed' : 'not a regular file' });
    }
  };
  walk('');
  const byPath = (a: { rel: string }, b: { rel: string }) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);
  return { files: files.sort(byPath), skipped: skipped.sort(byPath) };
}

/** Reads every file's bytes (synchronously, see {@link listSources}). */
export async function readSources(files: SourceFile[]): Promise<SourceFile[]> {
  for (const file of files) file.contents ??= readFileSync(file.abs);
  return files;
}

/** The files as vinyl objects (base = the module folder), binary-safe Buffers. */
export function sourceStream(dir: string, files: readonly SourceFile[]): Readable {
  return Readable.from(
    files.map((f) => new Vinyl({ cwd: dir, base: dir, path: path.join(dir, f.rel), contents: f.contents ?? null, stat: f.stat })),
    { objectMode: true },
  );
}
