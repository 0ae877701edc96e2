/**
 * Gulp plugin: collects every file of the stream and emits ONE `<module>_<version>.tar`, a
 * plain POSIX tar whose bytes depend only on the files' paths, contents and executable bits.
 */
import path from 'node:path';
import PluginError from 'plugin-error';
import through from 'through2';
import Vinyl from 'vinyl';
import { packJson as packJsonOf, packTar, type PackTarOptions } from '../pack/pack-tar.ts';
import { isJunkPath, normaliseMode } from '../pack/rules.ts';

export const REPRODUCIBLE_TAR = 'reproducible-tar';

export interface ReproducibleTarOptions extends PackTarOptions {
  /** Drop `.git`, editor and OS junk. Default true. */
  excludeJunk?: boolean;
}

/** PACK.json for a stream's files (path → bytes), as the plugin writes it. */
export function packJson(name: string, version: string, files: Map<string, Uint8Array>): Buffer {
  return packJsonOf(name, version, [...files].map(([rel, data]) => ({ rel, data, mode: 0o644 })));
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
