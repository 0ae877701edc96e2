/**
 * The seed's `provisioning` command: `provisioning providers install upcloud wuji --version 0.0.1`.
 * Under Deno: `deno run -A bin/provisioning.ts …`; under Node, `npx provisioning …` starts
 * bin/provisioning.mjs, which registers tsx and imports this file.
 *
 * It loads the task modules (not gulpfile.ts: gulp is not needed to run one task) and hands the
 * command line to lib/cli, which runs the same task definitions the gulp tasks run.
 */
import { runCli } from '../lib/cli/main.ts';
import '../tasks/providers.ts';
import '../tasks/pack.ts';
import '../tasks/production.ts';
import '../tasks/watch.ts';
import { DEFINITIONS, runDefinition } from '../tasks/support/task.ts';

const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
const argv = deno ? deno.args : process.argv.slice(2);
process.exitCode = await runCli({ argv, tasks: DEFINITIONS, run: runDefinition });
