/**
 * The seed's `provisioning` command: `provisioning providers install upcloud wuji --version 0.0.1`.
 * Under Deno: `deno run -A bin/provisioning.ts …`; under Node, `npx provisioning …` starts
 * bin/provisioning.mjs, which runs the JavaScript build of the same code (or this file, via tsx).
 *
 * It loads the task modules (not gulpfile.ts: gulp is not needed to run one task) and hands the
 * command line to lib/cli, which runs the same task definitions the gulp tasks run.
 */
import { provisioning } from '../tasks/support/cli.ts';

const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
process.exitCode = await provisioning(deno ? deno.args : process.argv.slice(2));
