/**
 * The `provisioning` command on the task definitions: every tasks module is loaded (each defines
 * its tasks in DEFINITIONS) and lib/cli turns the seed's command line into one task's flags.
 * bin/provisioning.ts starts it from the sources (Deno, tsx); bin/provisioning.mjs from the build.
 */
import { runCli } from '../../lib/cli/main.ts';
import '../providers.ts';
import '../pack.ts';
import '../production.ts';
import '../watch.ts';
import '../doctor.ts';
import { DEFINITIONS, runDefinition } from './task.ts';

/** Runs `provisioning <argv…>`; resolves to the exit code (0 done, 1 the task failed, 2 usage). */
export function provisioning(argv: readonly string[]): Promise<number> {
  return runCli({ argv, tasks: DEFINITIONS, run: runDefinition });
}
