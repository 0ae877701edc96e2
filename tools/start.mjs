/**
 * How Node starts our TypeScript fast: from the build tools/build.mjs made (`.build/`), when it
 * is the build of the sources as they are now, else after building it again, and only when that
 * fails, from the sources through tsx (slow, but always right). `.gulp.js` calls
 * `serveGulpfile()`; bin/provisioning.mjs calls `ensureBuild()` and runs tasks.cjs's `cli`.
 *
 * Fresh means: `.build/manifest.json` was made for this folder and every file it names (each
 * source, each bundled dependency file, the build script, package.json and
 * node_modules/.package-lock.json) has the size, mtime and ctime it had when the build read it.
 * That is a few hundred `stat`s (about a millisecond); a changed file is what the next run uses.
 * `PROVISIONING_NO_BUILD=1` skips the build and runs the sources through tsx.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = path.join(ROOT, '.build');
const MANIFEST = path.join(BUILD_DIR, 'manifest.json');
const require = createRequire(import.meta.url);

function same(file, size, mtime, ctime) {
  const s = statSync(path.join(ROOT, file), { throwIfNoEntry: false });
  return s ? s.size === size && s.mtimeMs === mtime && s.ctimeMs === ctime : size === null;
}

/** The build folder when the build is the sources' own, else undefined. */
export function freshBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.format !== 2 || manifest.root !== ROOT || typeof manifest.dir !== 'string') return undefined;
  for (const [file, size, mtime, ctime] of manifest.inputs) if (!same(file, size, mtime, ctime)) return undefined;
  return path.join(BUILD_DIR, manifest.dir);
}

let tried = false;
/** The fresh build, building it first when needed; undefined when it cannot be had. */
export function ensureBuild() {
  if (process.env.PROVISIONING_NO_BUILD) return undefined;
  const dir = freshBuild();
  if (dir || tried) return dir;
  tried = true;
  // A child process: this runs inside a synchronous require() (gulp-cli loading .gulp.js).
  const built = spawnSync(process.execPath, [path.join(ROOT, 'tools/build.mjs'), '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (built.status !== 0 && process.env.PROVISIONING_DEBUG) process.stderr.write(`note: running the TypeScript sources (the build failed: ${built.stderr.trim()})\n`);
  return freshBuild();
}

let tsx = false;
/** tsx's ESM and CommonJS hooks, as tools/gulp-preload.mjs registers them. */
export function registerTsx() {
  if (tsx) return;
  tsx = true;
  require('tsx/cjs/api').register();
  // The ES module build of tsx/esm/api (its CommonJS build cannot find its own files), loaded
  // synchronously: require() of an ES module works from Node 20.19 (engines says so).
  require(fileURLToPath(import.meta.resolve('tsx/esm/api'))).register();
}

/**
 * For gulp-cli, which loads `.gulp.js` and then require()s `gulpfile.ts`: our gulpfile comes from
 * the build; any other `.ts` file (or ours, when there is no build) goes through tsx, registered
 * only then. Registering a `.ts` hook also keeps gulp-cli from hunting for a loader of its own.
 */
export function serveGulpfile() {
  honourNoColor();
  const dir = ensureBuild();
  if (!dir) return registerTsx();
  const built = path.join(dir, 'gulpfile.cjs');
  const ours = path.join(ROOT, 'gulpfile.ts');
  require.extensions['.ts'] = function loadTs(module, filename) {
    if (filename === ours) {
      module.exports = require(built);
      return;
    }
    registerTsx();
    require.extensions['.ts'](module, filename);
  };
}

/**
 * NO_COLOR (https://no-color.org) for gulp-cli's own lines too. gulp-cli colours through chalk 4,
 * whose supports-color reads `--color`/`--no-color` and FORCE_COLOR but not NO_COLOR; its
 * timestamps are coloured when `chalk.supportsColor` is truthy. Both are switched off on the
 * chalk gulp-cli loaded, unless FORCE_COLOR or `--color` asks for colour anyway (as in
 * lib/output/style.ts, our own lines).
 */
export function honourNoColor() {
  if (!process.env.NO_COLOR || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') || process.argv.includes('--color')) return;
  try {
    const chalk = createRequire(require.resolve('gulp-cli/package.json'))('chalk');
    chalk.level = 0;
    chalk.supportsColor = false;
  } catch {
    // gulp-cli's chalk is not where we expect: its colours stay as they are.
  }
}
