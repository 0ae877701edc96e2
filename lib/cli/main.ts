import { readFileSync } from 'node:fs';
import { dim, red } from '../output/style.ts';
import { CliError } from './errors.ts';
import { commandHelp, groupHelp, type TaskInfo, topHelp } from './help.ts';
import { type FlagInfo, translate } from './translate.ts';

/** A task as the command line sees it: tasks/support/task.ts's TaskDefinition, structurally. */
export interface CliTask {
  description: string;
  flags?: Record<string, FlagInfo>;
}

export interface RunCliOptions<T extends CliTask> {
  /** The arguments after `provisioning`. */
  argv: readonly string[];
  /** The task definitions by name (`DEFINITIONS`). */
  tasks: ReadonlyMap<string, T>;
  /** Runs one task with its own argv; rejects when it failed (it has printed its problems). */
  run: (task: T, argv: string[]) => Promise<void>;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The `provisioning` command: translates the seed's command line into one task's flags and runs
 * that task. Resolves to the exit code: 0 done, 1 the task failed, 2 a usage error.
 */
export async function runCli<T extends CliTask>({ argv, tasks, run }: RunCliOptions<T>): Promise<number> {
  const info: TaskInfo = (name) => {
    const task = tasks.get(name);
    return task && { description: task.description, flags: task.flags ?? {} };
  };
  try {
    const parsed = translate(argv, (name) => info(name)?.flags);
    if (parsed.kind === 'version') {
      process.stdout.write(`provisioning ${version()}\n`);
      return 0;
    }
    if (parsed.kind === 'help') {
      const text = parsed.command ? commandHelp(parsed.command, info) : parsed.group ? groupHelp(parsed.group, info) : topHelp(info);
      process.stdout.write(text + '\n');
      return 0;
    }
    await run(tasks.get(parsed.command.task)!, parsed.argv);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`${red('error')} ${error.code}: ${error.message}\n`);
      if (error.hint) process.stderr.write(`  ${dim('hint:')} ${error.hint}\n`);
      return error.exitCode;
    }
    // runDefinition has printed the coded problems; its error is the one-line summary gulp shows.
    if (error instanceof Error && error.name === 'TaskFailed') {
      process.stderr.write(`${dim(error.message)}\n`);
      return 1;
    }
    process.stderr.write(`${red('error')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
