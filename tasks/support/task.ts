import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/types.ts';
import { ProblemsError, systemError, toProblem, type Problem } from '../../lib/errors.ts';
import { assertFormat, type OutputFormat } from '../../lib/output/format.ts';
import { dim, red, yellow } from '../../lib/output/style.ts';
import { resolveRoot } from '../../lib/tree/root.ts';
import { parseFlags, type FlagSpecs, type Flags } from './flags.ts';

/** What a task's `run` gets: its flags, the root and config (resolved on first use), and output. */
export interface TaskContext {
  flags: Flags;
  /** The folder the user ran the command from, for relative `--base`, `--output`, `--registry`. */
  cwd: string;
  format: OutputFormat;
  root(): string;
  config(): Promise<Config>;
  /** The task's result, on stdout (all that `--silent` leaves there). */
  out(text: string): void;
  /** Progress and notes for people, on stderr. */
  info(text: string): void;
  warn(text: string): void;
  /** Coded warnings, one `warning CODE: message (file:line)` line each, on stderr. */
  warnProblems(problems: readonly Problem[]): void;
}

export interface TaskDefinition {
  name: string;
  description: string;
  flags?: FlagSpecs;
  run(ctx: TaskContext): Promise<void>;
}

/** The flags every task that reads a provisioning root takes. */
export const ROOT_FLAGS: FlagSpecs = {
  base: { type: 'string', description: 'provisioning root (else $PROVISIONING, $PROVISIONING_CONFIG, the current folder)' },
};

export const FORMAT_FLAG: FlagSpecs = {
  format: { type: 'string', description: 'table (default), json or yaml' },
};

type GulpTask = (() => Promise<void>) & { displayName: string; description: string; flags: Record<string, string> };

/** An error gulp logs as one short line (it prints the stack unless showStack is false). */
class TaskFailed extends Error {
  readonly showStack = false;
  constructor(message: string) {
    super(message);
    this.name = 'TaskFailed';
  }
  override toString(): string {
    return this.message;
  }
}

/** ` (file:line:column)`, or nothing. */
function where(p: Problem): string {
  return p.file ? ` ${dim(`(${[p.file, p.line, p.line !== undefined ? p.column : undefined].filter((x) => x !== undefined).join(':')})`)}` : '';
}

function printProblems(problems: Problem[], format: OutputFormat, reported = false): void {
  if (!reported && (format === 'json' || format === 'yaml')) {
    process.stdout.write(JSON.stringify({ ok: false, problems }, null, 2) + '\n');
  }
  for (const p of problems) {
    process.stderr.write(`${red('error')} ${p.code}: ${p.message}${where(p)}\n`);
    if (p.hint) process.stderr.write(`  ${dim('hint:')} ${p.hint}\n`);
  }
}

/** Every task defined, by name: the `provisioning` command line runs them too. */
export const DEFINITIONS = new Map<string, TaskDefinition>();

/**
 * gulp runs each task inside a `domain` (async-done), which every callback and promise created in
 * it then pays for: a third more time on pack:providers' ~10,000 file operations. Our tasks catch
 * their own errors (runDefinition prints each one coded and rejects), so they leave it: the
 * returned promise still tells gulp how the task ended.
 */
function outsideGulpDomain(): void {
  (process as { domain?: { exit(): void } | null }).domain?.exit();
}

/** Turns a task definition into a gulp task with `description` and `flags` for `gulp --tasks`. */
export function defineTask(def: TaskDefinition): GulpTask {
  const specs: FlagSpecs = { ...def.flags };
  DEFINITIONS.set(def.name, def);
  const task = () => {
    outsideGulpDomain();
    return runDefinition(def, process.argv.slice(2));
  };
  return Object.assign(task, {
    displayName: def.name,
    description: def.description,
    flags: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [`--${name}`, spec.description])),
  });
}

/**
 * Runs one task with `argv` as its flags: parses them, prints the result or the coded problems,
 * and rejects with a one-line error (gulp prints no stack for it) when the task failed.
 */
export async function runDefinition(def: TaskDefinition, argv: readonly string[]): Promise<void> {
  const specs: FlagSpecs = { ...def.flags };
  let format: OutputFormat = 'table';
  try {
    const others = argv.filter((a) => a !== def.name && DEFINITIONS.has(a)).map((a) => DEFINITIONS.get(a)!.flags);
    const flags = parseFlags(argv, specs, Object.assign({}, ...others));
    if ('format' in specs) format = assertFormat(flags.format);
    let root: string | undefined;
    let config: Promise<Config> | undefined;
    // gulp-cli changes into the gulpfile's folder; npm and npx keep the user's own in INIT_CWD.
    const cwd = process.env.INIT_CWD || process.cwd();
    const ctx: TaskContext = {
      flags,
      cwd,
      format,
      root: () => (root ??= resolveRoot({ base: flags.base as string | undefined, cwd })),
      config: () => (config ??= loadConfig({ root: ctx.root() })),
      out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
      info: (text) => void process.stderr.write(text + '\n'),
      warn: (text) => void process.stderr.write(`${yellow('warning')} ${text}\n`),
      warnProblems: (problems) => problems.forEach((p) => ctx.warn(`${p.code}: ${p.message}${where(p)}`)),
    };
    await def.run(ctx);
  } catch (error) {
    if (error instanceof ProblemsError) {
      printProblems(error.problems, format, error.reported);
      throw new TaskFailed(`${def.name}: ${error.message}`);
    }
    // Anything else (a full disk, a bug) is coded too: one line, also under --silent, never a bare stack.
    const coded = systemError(error);
    printProblems([toProblem(coded)], format);
    if (process.env.PROVISIONING_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    throw new TaskFailed(`${def.name} failed: ${coded.code}`);
  }
}

export type { GulpTask };
