/**
 * Gulp plugin: collects every file of the stream and emits ONE `<module>_<version>.tar`, a
 * plain POSIX tar whose bytes depend only on the files' paths, contents and executable bits.
 */
import path from 'node:path';
import PluginError from 'plugin-error';
import through from 'through2';
import Vinyl from 'vinyl';
import { isJunkPath, normaliseMode, packMtime, sha256Hex } from '../pack/rules.ts';
import { buildTar, type TarEntry } from '../pack/tar.ts';

export const REPRODUCIBLE_TAR = 'reproducible-tar';

export interface ReproducibleTarOptions {
  /** Top folder of every entry and the tar's name stem, e.g. `aws_prov`. Required. */
  module: string;
  /** Version in the tar's name and in `PACK.json`. Required. */
  version: string;
  /** `name` in `PACK.json`. Default: `module`. */
  name?: string;
  /** Entry mtime in seconds. Default: `SOURCE_DATE_EPOCH`, else 1985-10-26 (see FIXED_MTIME). */
  mtime?: number;
  /** Drop `.git`, editor and OS junk. Default true. */
  excludeJunk?: boolean;
}

/** `PACK.json`: the name, version and sha256 of every other file, keys sorted. */
export function packJson(name: string, version: string, files: Map<string, Uint8Array>): Buffer {
  return packJsonOf(name, version, [...files].map(([rel, data]) => ({ rel, data, mode: 0o644 })));
}

/** {@link packJson} from pack files, reusing each one's `sha256` when the caller already has it. */
function packJsonOf(name: string, version: string, files: readonly PackTarFile[]): Buffer {
  // No prototype: a file named `__proto__` is listed like any other (a `{}` would drop it).
  const hashes: Record<string, string> = Object.create(null);
  const byRel = new Map(files.map((f) => [f.rel, f]));
  for (const rel of [...byRel.keys()].sort()) {
    const file = byRel.get(rel)!;
    hashes[rel] = file.sha256 ?? sha256Hex(file.data);
  }
  return Buffer.from(JSON.stringify({ name, version, files: hashes }, null, 2) + '\n');
}

/** One file for {@link packTar}. */
export interface PackTarFile {
  /** `/`-separated path under the module folder. */
  rel: string;
  data: Uint8Array;
  /** 0o644 or 0o755 (see normaliseMode). */
  mode: number;
  /** Hex sha256 of `data`, when already known (the pack cache hashes every file). Default: computed. */
  sha256?: string | undefined;
}

export type PackTarOptions = Omit<ReproducibleTarOptions, 'excludeJunk'>;

/**
 * The tar the plugin emits, from files already in memory: `PACK.json` added, entries sorted,
 * one buffer. The plugin's flush calls this, and so does `pack:provider(s)` directly (no vinyl
 * objects or stream hops per file), so both give the same bytes by construction.
 */
export function packTar(files: readonly PackTarFile[], { module, version, name = module, mtime = packMtime() }: PackTarOptions): Buffer {
  const map = new Map<string, { data: Uint8Array; mode: number }>();
  for (const f of files) {
    if (map.has(f.rel) || f.rel === 'PACK.json') throw new Error(`Cannot pack "${f.rel}" twice: two files have that path`);
    map.set(f.rel, { data: f.data, mode: f.mode });
  }
  map.set('PACK.json', { data: packJsonOf(name, version, files), mode: 0o644 });
  return buildTar(tarEntries(module, map), { mtime });
}

/** Sorted entries: every folder (implied by the files) and file under `<module>/`, then `PACK.json`. */
export function tarEntries(module: string, files: Map<string, { data: Uint8Array; mode: number }>): TarEntry[] {
  const entries = new Map<string, TarEntry>([[`${module}/`, { path: `${module}/` }]]);
  for (const [rel, file] of files) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${module}/${parts.slice(0, i).join('/')}/`;
      entries.set(dir, { path: dir });
    }
    entries.set(`${module}/${rel}`, { path: `${module}/${rel}`, data: file.data, mode: file.mode });
  }
  // Byte order (not locale order), so every machine sorts alike; a folder "x/" precedes "x/...".
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function reproducibleTar(options: ReproducibleTarOptions) {
  if (!options || typeof options.module !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(options.module)) {
    throw new PluginError(REPRODUCIBLE_TAR, 'The "module" option must be a plain name such as "aws_prov"');
  }
  if (typeof options.version !== 'string' || options.version === '') {
    throw new PluginError(REPRODUCIBLE_TAR, 'The "version" option must be a non-empty string');
  }
  const { module, version, name = module, excludeJunk = true } = options;
  const files = new Map<string, { data: Uint8Array; mode: number }>();
  let cwd: string | undefined;
  let base: string | undefined;

  return through.obj(
    function transform(file: Vinyl, _enc, done) {
      if (file.isDirectory()) return done(); // folders come back from the file paths
      if (file.isNull()) return done(null, file);
      if (file.isStream()) return done(new PluginError(REPRODUCIBLE_TAR, `Cannot pack "${file.relative}": streams are not supported, use src(..., { buffer: true })`));
      const rel = file.relative.split(path.sep).join('/');
      if (rel === 'PACK.json' || (excludeJunk && isJunkPath(rel))) return done();
      if (rel.startsWith('../') || path.isAbsolute(rel)) {
        return done(new PluginError(REPRODUCIBLE_TAR, `Cannot pack "${rel}": it lies outside the stream's base`));
      }
      if (files.has(rel)) return done(new PluginError(REPRODUCIBLE_TAR, `Cannot pack "${rel}" twice: two files of the stream have that path`));
      files.set(rel, { data: file.contents as Buffer, mode: normaliseMode(file.stat?.mode) });
      cwd ??= file.cwd;
      base ??= file.base;
      done();
    },
    function flush(done) {
      try {
        const list = [...files].map(([rel, f]) => ({ rel, data: f.data, mode: f.mode }));
        const tar = packTar(list, { module, version, name, ...(options.mtime !== undefined ? { mtime: options.mtime } : {}) });
        this.push(new Vinyl({ cwd: cwd ?? process.cwd(), base: base ?? process.cwd(), path: path.join(base ?? process.cwd(), `${module}_${version}.tar`), contents: tar }));
        done();
      } catch (error) {
        (done as (error?: Error) => void)(new PluginError(REPRODUCIBLE_TAR, error as Error));
      }
    },
  );
}
