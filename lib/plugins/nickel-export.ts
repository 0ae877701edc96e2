/**
 * Gulp plugin: passes every file through and, for each exported Nickel file, adds
 * `export/<stem>.json` made by `<bin> export --format json ./<file>` run in the module's folder.
 */
import path from 'node:path';
import PluginError from 'plugin-error';
import through from 'through2';
import Vinyl from 'vinyl';
import { exportPathFor, exportSelector, missingExports } from '../pack/exports.ts';
import { nickelExportFile } from '../pack/nickel.ts';

export const NICKEL_EXPORT = 'nickel-export';

export interface NickelExportOptions {
  /** The nickel CLI. Default `"nickel"` (looked up on PATH). */
  bin?: string;
  /**
   * Files to export, relative to the module folder (`[package] exports`). Default: every
   * top-level `*.ncl` of the stream.
   */
  exports?: readonly string[];
  /** Folder nickel runs in, where the files' imports resolve. Default: each file's `base`. */
  cwd?: string;
  /** Name used in messages. Default: the folder's name. */
  label?: string;
}

export function nickelExport({ bin = 'nickel', exports, cwd, label }: NickelExportOptions = {}) {
  if (typeof bin !== 'string' || bin === '') throw new PluginError(NICKEL_EXPORT, 'The "bin" option must be a non-empty string');
  const { wanted, isExported } = exportSelector(exports);
  const seen = new Set<string>();
  let last: Vinyl | undefined;

  return through.obj(
    function transform(file: Vinyl, _enc, done) {
      if (file.isNull() || file.isDirectory()) return done(null, file);
      const rel = file.relative.split(path.sep).join('/');
      if (!isExported(rel)) return done(null, file);
      seen.add(rel);
      last = file;
      const folder = cwd ?? file.base;
      const args = label === undefined ? { bin, cwd: folder, file: rel } : { bin, cwd: folder, file: rel, label };
      nickelExportFile(args).then(
        (json) => {
          this.push(file);
          done(null, new Vinyl({ cwd: file.cwd, base: file.base, path: path.join(file.base, exportPathFor(rel)), contents: json }));
        },
        (error: Error) => done(new PluginError(NICKEL_EXPORT, error, { showStack: false })),
      );
    },
    function flush(done) {
      const missing = missingExports(wanted, seen, cwd ?? last?.base ?? 'the stream');
      if (missing) return (done as (error?: Error) => void)(new PluginError(NICKEL_EXPORT, missing, { showStack: false }));
      done();
    },
  );
}
