#!/usr/bin/env node
/**
 * Builds the JavaScript Node starts from, into `.build/<id>/`, so a run loads two files of plain
 * JavaScript instead of ~120 TypeScript files through tsx's loader hooks. Deno keeps running the
 * sources.
 *
 *   node tools/build.mjs            # what `npm install` runs (`prepare`); a run rebuilds by itself
 *
 * - `tasks.cjs`: every tasks module the gulpfile imports, and tasks/support/cli.ts (the
 *   `provisioning` command), with all their dependencies, in one CommonJS file. It is loaded
 *   with a V8 code cache beside it (tools/lazy-task.mjs), so its ~1 MB is compiled once, not
 *   on every run.
 * - `gulpfile.cjs`: gulpfile.ts with each `./tasks/*.ts` module replaced by a proxy holding only
 *   its tasks' names, descriptions and flags (read here from tasks.cjs). A proxy loads tasks.cjs
 *   when one of its tasks runs, so `gulp --tasks` loads no implementation at all.
 *
 * It cannot go stale: `.build/manifest.json` names every input file (sources, the dependencies'
 * files, the build's own scripts, package.json, node_modules/.package-lock.json) with its size,
 * mtime and ctime, and tools/start.mjs uses the build only while every one of them is unchanged;
 * otherwise it runs this script first (or, when that fails, the sources through tsx).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = path.join(ROOT, '.build');
export const MANIFEST = path.join(BUILD_DIR, 'manifest.json');
const GULPFILE = path.join(ROOT, 'gulpfile.ts');
const CLI = path.join(ROOT, 'tasks/support/cli.ts');
/** Inputs that are not imported but decide what a build holds. */
const EXTRA_INPUTS = ['tools/build.mjs', 'tools/lazy-task.mjs', 'tools/start.mjs', 'package.json', 'node_modules/.package-lock.json'];
const TASK_MODULE = /^\.\/tasks\/[^/]+\.ts$/;
const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/**
 * `import.meta.url` as the source file's own URL: the bundle lives in .build/<id>/, but
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

const COMMON = { absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent', metafile: true };

const isTask = (value) => typeof value === 'function' && typeof value.displayName === 'string';
const meta = (task) => JSON.stringify({ displayName: task.displayName, description: task.description, flags: task.flags });

/**
 * The proxy for one tasks module: every export that is a gulp task, or an array of them, with
 * the same names, descriptions and flags, running the real task from tasks.cjs (`key`).
 */
function proxySource(key, exports) {
  const lines = [
    `import { lazyTask, loadTasks } from ${JSON.stringify(path.join(ROOT, 'tools/lazy-task.mjs'))};`,
    `const load = () => loadTasks(__dirname)[${JSON.stringify(key)}];`,
  ];
  for (const [name, value] of Object.entries(exports)) {
    if (isTask(value)) lines.push(`export const ${name} = lazyTask(load, ${meta(value)}, (m) => m[${JSON.stringify(name)}]);`);
  }
  for (const [name, value] of Object.entries(exports)) {
    if (!Array.isArray(value) || !value.every(isTask)) continue;
    const items = value.map((task, i) => {
      const same = Object.entries(exports).find(([k, v]) => v === task && k !== name);
      return same ? same[0] : `lazyTask(load, ${meta(task)}, (m) => m[${JSON.stringify(name)}][${i}])`;
    });
    lines.push(`export const ${name} = [${items.join(', ')}];`);
  }
  return lines.join('\n') + '\n';
}

/** Replaces the gulpfile's `./tasks/*.ts` imports by their proxies. */
function lazyTasks(keys, exportsOf) {
  return {
    name: 'lazy-tasks',
    setup(build) {
      build.onResolve({ filter: TASK_MODULE }, (args) => {
        if (args.importer !== GULPFILE || args.namespace !== 'file') return undefined;
        return { path: path.join(ROOT, args.path), namespace: 'lazy-tasks' };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-tasks' }, (args) => {
        const key = keys.get(args.path);
        if (key === undefined) return { errors: [{ text: `${rel(args.path)} is not in tasks.cjs` }] };
        return { contents: proxySource(key, exportsOf[key]), loader: 'js', resolveDir: ROOT };
      });
    },
  };
}

/** Removes build folders other than `keep` that are over an hour old (a running process may still load from a recent one). */
function prune(keep) {
  for (const entry of readdirSync(BUILD_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const dir = path.join(BUILD_DIR, entry.name);
    if (Date.now() - statSync(dir).mtimeMs > 3600_000) rmSync(dir, { recursive: true, force: true });
  }
}

/** size, mtime and ctime of a file, or nulls when it is absent. */
function stamp(file) {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs, s.ctimeMs] : [null, null, null];
}

/** Builds into a new `.build/<id>/`, then points the manifest at it (atomically: a rename). */
export async function build() {
  const started = Date.now();
  // First, so a folder that cannot be written (a read-only install) fails at once.
  mkdirSync(BUILD_DIR, { recursive: true });
  const esbuild = await import('esbuild');
  const id = `b-${started.toString(36)}-${process.pid}`;
  const outdir = path.join(BUILD_DIR, id);
  try {
    // Which tasks modules the gulpfile imports.
    const probe = await esbuild.build({ ...COMMON, entryPoints: [GULPFILE], write: false, outdir, external: ['gulp'] });
    const taskFiles = (probe.metafile.inputs[rel(GULPFILE)]?.imports ?? []).filter((i) => TASK_MODULE.test(`./${i.path}`)).map((i) => path.join(ROOT, i.path));
    const keys = new Map(taskFiles.map((file, i) => [file, `m${i}`]));

    // tasks.cjs: the tasks modules and the provisioning command, as one CommonJS file.
    const index = [...[...keys].map(([file, key]) => `export * as ${key} from ${JSON.stringify(file)};`), `export * as cli from ${JSON.stringify(CLI)};`].join('\n');
    const tasks = await esbuild.build({
      ...COMMON,
      stdin: { contents: index, resolveDir: ROOT, sourcefile: 'tasks-index.ts', loader: 'ts' },
      outfile: path.join(outdir, 'tasks.cjs'),
      plugins: [sourceUrls],
    });
    const exportsOf = createRequire(import.meta.url)(path.join(outdir, 'tasks.cjs'));

    // gulpfile.cjs: the gulpfile on proxies; gulp-cli runs the tasks on the gulp it loaded itself.
    const gulpfile = await esbuild.build({
      ...COMMON,
      entryPoints: [GULPFILE],
      outfile: path.join(outdir, 'gulpfile.cjs'),
      external: ['gulp'],
      plugins: [lazyTasks(keys, exportsOf), sourceUrls],
    });

    const files = new Set(EXTRA_INPUTS.map((f) => path.join(ROOT, f)));
    for (const result of [tasks, gulpfile]) {
      for (const input of Object.keys(result.metafile.inputs)) if (!input.includes(':') && input !== '<stdin>') files.add(path.join(ROOT, input));
    }
    // A file changed while it was being built may be in the build as it was before: stamp it as
    // unknown, so the next run builds again. (A file dated in the future, say unpacked from an
    // archive made on a clock ahead of ours, is not "changed meanwhile": it would rebuild forever.)
    const finished = Date.now();
    const inputs = [...files].sort().map((file) => {
      const s = stamp(file);
      const changed = s[1] !== null && Math.max(s[1], s[2]) >= started - 5 && Math.max(s[1], s[2]) <= finished + 5;
      return changed ? [rel(file), -1, -1, -1] : [rel(file), ...s];
    });
    const manifest = { format: 2, root: ROOT, dir: id, inputs };
    const temp = `${MANIFEST}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(manifest) + '\n');
    renameSync(temp, MANIFEST);
    prune(id);
    return { dir: outdir, inputs: inputs.length, ms: Date.now() - started };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes('--quiet');
  try {
    const { dir, inputs, ms } = await build();
    if (!quiet) process.stderr.write(`built ${rel(dir)} from ${inputs} files in ${ms} ms\n`);
  } catch (error) {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    // Under `npm install` (prepare) a failed build is no failed install: runs then use tsx.
    process.exitCode = process.argv.includes('--optional') ? 0 : 1;
  }
}
