#!/usr/bin/env node
/**
 * Builds the JavaScript that Node starts from: `gulpfile.ts` and `bin/provisioning.ts` bundled
 * (with their dependencies) into `.build/<id>/`, so a run loads a few files of plain JavaScript
 * instead of ~120 TypeScript files through tsx's loader hooks. Deno keeps running the sources.
 *
 *   node tools/build.mjs            # what `npm install` runs (`prepare`); a run rebuilds by itself
 *
 * Two things make it fast to start:
 * - each `./tasks/*.ts` module the gulpfile imports is replaced, in the gulpfile's bundle, by a
 *   proxy holding only its tasks' names, descriptions and flags (read here by loading the real
 *   module once). The real module is a separate chunk, imported when one of its tasks runs, so
 *   `gulp --tasks` loads no implementation and `providers:list` none of the pack code.
 * - dependencies are bundled too, as one file each chunk, not hundreds of small files.
 *
 * It cannot go stale: `.build/manifest.json` names every input file (sources, the dependencies'
 * files, this script, package.json, node_modules/.package-lock.json) with its size, mtime and
 * ctime, and tools/start.mjs uses the build only while every one of them is unchanged; otherwise
 * it runs this script first (or, when that fails, the sources through tsx).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = path.join(ROOT, '.build');
export const MANIFEST = path.join(BUILD_DIR, 'manifest.json');
/** The bundles Node starts from, by name, and their TypeScript entries. */
export const ENTRIES = { gulpfile: 'gulpfile.ts', provisioning: 'bin/provisioning.ts' };
/** Inputs that are not imported but decide what a build holds. */
const EXTRA_INPUTS = ['tools/build.mjs', 'tools/lazy-task.mjs', 'package.json', 'node_modules/.package-lock.json'];
const GULPFILE = path.join(ROOT, ENTRIES.gulpfile);
const TASK_MODULE = /^\.\/tasks\/[^/]+\.ts$/;
// Bundled CommonJS dependencies call require(): give each ES chunk one of its own.
const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** size, mtime and ctime of a file, or nulls when it is gone. */
export function stamp(file) {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs, s.ctimeMs] : [null, null, null];
}

/**
 * `import.meta.url` as the source file's own URL: chunks live in .build/<id>/, but
 * `new URL('../../config/config.defaults.toml', import.meta.url)` means the source's neighbours.
 */
const sourceUrls = {
  name: 'source-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

const isTask = (value) => typeof value === 'function' && typeof value.displayName === 'string';
const meta = (task) => ({ displayName: task.displayName, description: task.description, flags: task.flags });

/**
 * The proxy for one tasks module: every export that is a gulp task, or an array of them, with
 * the same names, descriptions and flags, running the real task (loaded on first use).
 */
function proxySource(file, exports) {
  const real = JSON.stringify(file);
  const lines = [
    `import { lazyTask } from ${JSON.stringify(path.join(ROOT, 'tools/lazy-task.mjs'))};`,
    `const load = () => import(${real});`,
  ];
  for (const [key, value] of Object.entries(exports)) {
    if (isTask(value)) lines.push(`export const ${key} = lazyTask(load, ${JSON.stringify(meta(value))}, (m) => m[${JSON.stringify(key)}]);`);
  }
  for (const [key, value] of Object.entries(exports)) {
    if (!Array.isArray(value) || !value.every(isTask)) continue;
    const items = value.map((task, i) => {
      const same = Object.entries(exports).find(([k, v]) => v === task && isTask(v) && k !== key);
      return same ? same[0] : `lazyTask(load, ${JSON.stringify(meta(task))}, (m) => m[${JSON.stringify(key)}][${i}])`;
    });
    lines.push(`export const ${key} = [${items.join(', ')}];`);
  }
  return lines.join('\n') + '\n';
}

/** Replaces the gulpfile's `./tasks/*.ts` imports by their proxies. */
function lazyTasks(exportsOf) {
  return {
    name: 'lazy-tasks',
    setup(build) {
      build.onResolve({ filter: TASK_MODULE }, (args) => {
        if (args.importer !== GULPFILE || args.namespace !== 'file') return undefined;
        return { path: path.join(path.dirname(args.importer), args.path), namespace: 'lazy-tasks' };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-tasks' }, (args) => ({
        contents: proxySource(args.path, exportsOf.get(args.path) ?? {}),
        loader: 'js',
        resolveDir: ROOT,
      }));
    },
  };
}

const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  banner: { js: BANNER },
  // gulp-cli runs the tasks on the gulp it loaded itself: the bundle must use that one.
  external: ['gulp'],
  logLevel: 'silent',
  metafile: true,
  plugins: [sourceUrls],
};

/** The tasks modules the gulpfile imports, loaded once (bundled), to read their tasks' metadata. */
async function taskExports(esbuild, dir) {
  const probe = await esbuild.build({ ...COMMON, splitting: false, plugins: [], entryPoints: [GULPFILE], write: false, outdir: dir });
  const imports = probe.metafile.inputs[ENTRIES.gulpfile]?.imports ?? [];
  const files = imports.filter((i) => TASK_MODULE.test(`./${i.path}`)).map((i) => path.join(ROOT, i.path));
  const entryPoints = Object.fromEntries(files.map((f, i) => [`task-${i}`, f]));
  await esbuild.build({ ...COMMON, entryPoints, outdir: dir, entryNames: '[name]', outExtension: { '.js': '.mjs' } });
  const out = new Map();
  for (const [i, file] of files.entries()) out.set(file, await import(pathToFileURL(path.join(dir, `task-${i}.mjs`)).href));
  return out;
}

/** Removes build folders other than `keep` that are over an hour old (a running process may still load chunks from a recent one). */
function prune(keep) {
  for (const entry of readdirSync(BUILD_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const dir = path.join(BUILD_DIR, entry.name);
    if (Date.now() - statSync(dir).mtimeMs > 3600_000) rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds into a new `.build/<id>/` and then points the manifest at it (atomically: a rename). */
export async function build() {
  const esbuild = await import('esbuild');
  const started = Date.now();
  mkdirSync(BUILD_DIR, { recursive: true });
  const id = `b-${started.toString(36)}-${process.pid}`;
  const outdir = path.join(BUILD_DIR, id);
  const probeDir = path.join(BUILD_DIR, `probe-${id}`);
  try {
    const exportsOf = await taskExports(esbuild, probeDir);
    const result = await esbuild.build({
      ...COMMON,
      plugins: [lazyTasks(exportsOf), sourceUrls],
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(ROOT, file)])),
      outdir,
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      outExtension: { '.js': '.mjs' },
    });
    const files = new Set(EXTRA_INPUTS.map((f) => path.join(ROOT, f)));
    for (const input of Object.keys(result.metafile.inputs)) {
      if (!input.includes(':')) files.add(path.join(ROOT, input));
      else if (input.startsWith('lazy-tasks:')) files.add(input.slice('lazy-tasks:'.length));
    }
    // A file changed while it was being built may be in the build as it was before: stamp it as
    // unknown, so the next run builds again.
    const inputs = [...files].sort().map((file) => {
      const s = stamp(file);
      const rel = path.relative(ROOT, file).split(path.sep).join('/');
      return s[1] !== null && Math.max(s[1], s[2]) >= started - 5 ? [rel, -1, -1, -1] : [rel, ...s];
    });
    const manifest = { format: 1, root: ROOT, dir: id, entries: Object.keys(ENTRIES), inputs };
    const temp = `${MANIFEST}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(manifest) + '\n');
    renameSync(temp, MANIFEST);
    prune(id);
    return { dir: outdir, inputs: inputs.length, ms: Date.now() - started };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes('--quiet');
  try {
    const { dir, inputs, ms } = await build();
    if (!quiet) process.stderr.write(`built ${path.relative(ROOT, dir)} from ${inputs} files in ${ms} ms\n`);
  } catch (error) {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    // Under `npm install` (prepare) a failed build is no failed install: runs then use tsx.
    process.exitCode = process.argv.includes('--optional') ? 0 : 1;
  }
}
