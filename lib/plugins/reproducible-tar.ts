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
  const hashes: Record<string, string> = {};
  for (const rel of [...files.keys()].sort()) hashes[rel] = sha256Hex(files.get(rel)!);
  return Buffer.from(JSON.stringify({ name, version, files: hashes }, null, 2) + '\n');
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
        const mtime = options.mtime ?? packMtime();
        const plain = new Map([...files].map(([rel, f]) => [rel, f.data]));
        const withPack = new Map(files).set('PACK.json', { data: packJson(name, version, plain), mode: 0o644 });
        const tar = buildTar(tarEntries(module, withPack), { mtime });
        this.push(new Vinyl({ cwd: cwd ?? process.cwd(), base: base ?? process.cwd(), path: path.join(base ?? process.cwd(), `${module}_${version}.tar`), contents: tar }));
        done();
      } catch (error) {
        (done as (error?: Error) => void)(new PluginError(REPRODUCIBLE_TAR, error as Error));
      }
    },
  );
}
