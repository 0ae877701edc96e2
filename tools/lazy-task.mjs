/**
 * The run-time half of tools/build.mjs, bundled into the built gulpfile and used by
 * bin/provisioning.mjs.
 *
 * - `lazyTask`: what the built gulpfile registers in place of each task: a gulp task with the
 *   real one's name, description and flags, which loads the real one (tasks.cjs) when it runs.
 * - `loadTasks`: loads `.build/<id>/tasks.cjs` once, with a V8 code cache (`tasks.cjs.cache`):
 *   compiling ~1 MB of JavaScript on every run costs more than the rest of start-up. The cache is
 *   written when there was none (or V8 rejected it: another Node version) at the end of that run,
 *   so it also holds the functions the run compiled. V8 checks it against the source itself.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const LOADED = Symbol.for('provider-distribution.tasks');

/** The exports of `<dir>/tasks.cjs` (loaded once per process). */
export function loadTasks(dir) {
  const g = globalThis;
  if (g[LOADED]) return g[LOADED];
  const file = path.join(dir, 'tasks.cjs');
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // A dynamic import() left in the bundle (a Node built-in, say) resolves as in any module.
  const dynamic = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData, ...(dynamic ? { importModuleDynamically: dynamic } : {}) });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
      } catch {
        // A read-only install: no cache, just slower starts.
      }
    });
  }
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dir);
  module.loaded = true;
  g[LOADED] = module.exports;
  return module.exports;
}

/**
 * A gulp task standing in for a real one. Before running, the real tasks are loaded, so a task
 * sees the flags of the others named on the same command line as it does from the sources.
 *
 * @param {() => Record<string, unknown>} load the real tasks module (from tasks.cjs)
 * @param {{ displayName: string, description?: string, flags?: Record<string, string> }} meta
 * @param {(module: any) => () => unknown} pick the real task in that module
 */
export function lazyTask(load, meta, pick) {
  const task = async () => pick(load())();
  return Object.assign(task, meta);
}
