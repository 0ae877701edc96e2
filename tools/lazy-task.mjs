/**
 * What a built gulpfile registers in place of each task (tools/build.mjs): a gulp task with the
 * real one's name, description and flags, which loads the real task's module when it runs.
 *
 * Before running, it loads the modules of every task named on the command line, so a task sees
 * the flags of the others (`npx gulp providers:list pack:list --format json`) as it does when
 * everything is loaded up front.
 */
const loaders = new Map();

/**
 * @param {() => Promise<Record<string, unknown>>} load imports the real tasks module
 * @param {{ displayName: string, description?: string, flags?: Record<string, string> }} meta
 * @param {(module: any) => (done?: unknown) => unknown} pick the real task in that module
 */
export function lazyTask(load, meta, pick) {
  loaders.set(meta.displayName, load);
  const task = async () => {
    const named = process.argv.slice(2).map((arg) => loaders.get(arg)).filter(Boolean);
    const [module] = await Promise.all([load(), ...named.map((other) => other())]);
    return pick(module)();
  };
  return Object.assign(task, meta);
}
