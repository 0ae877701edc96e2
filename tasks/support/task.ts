import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/types.ts';
import { type Problem, ProblemsError, systemError, toProblem } from '../../lib/errors.ts';
import { assertFormat, type OutputFormat, render } from '../../lib/output/format.ts';
import { dim, red, yellow } from '../../lib/output/style.ts';
import { resolveRoot } from '../../lib/tree/root.ts';
import { type Flags, type FlagSpecs, parseFlags } from './flags.ts';

/** What a task's `run` gets: its flags, the root and config (resolved on first use), and output. */
export interface TaskContext {
  flags: Flags;
  /** The folder the user ran the command from, for relative `--base`, `--output`, `--registry`. */
  cwd: string;
  format: OutputFormat;
  root(): string;
  config(): Promise<Config>;
  /**
   * The task's result: printed once, when the task ends, on stdout (all that `--silent` leaves
   * there) as `data` in JSON or YAML, or as `table()` for people. When the task fails after
   * reporting, the failure document carries it: `{ "ok": false, "problems": [...], ...data }`.
   */
  report(data: unknown, table: () => string): void;
  /** A line of text on stdout now, for a task whose output is a stream (watch). */
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

/** `--plain-http` (and `--no-plain-http`) for the tasks that talk to an OCI registry. */
export const PLAIN_HTTP: FlagSpecs = {
  'plain-http': { type: 'boolean', description: 'talk plain HTTP to an OCI registry (default: [distribution.oci] plain_http; --no-plain-http overrides it)' },
};

/** `--plain-http` as given: true, false (`--no-plain-http`), or undefined (the config decides). */
export function plainHttpFlag(ctx: { flags: Flags }): boolean | undefined {
  const value = ctx.flags['plain-http'];
  return typeof value === 'boolean' ? value : undefined;
}

export const FORMAT_FLAG: FlagSpecs = {
  format: { type: 'string', description: 'table (default), json or yaml: one document on stdout, also when the task fails' },
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

/** What a task reported before it ended (see TaskContext.report). */
interface Report {
  data: unknown;
  table: () => string;
}

const write = (text: string) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n');

/**
 * The failure document: `{ ok: false, problems }` plus what the task reported before it failed
 * (an object's fields, or a list as `results`), in the format asked for. People get the partial
 * table on stdout, and the problems on stderr in every format.
 */
function printFailure(problems: Problem[], format: OutputFormat, report: Report | undefined): void {
  if (format === 'json' || format === 'yaml') {
    const data = report?.data;
    const partial = data === undefined ? {} : Array.isArray(data) || typeof data !== 'object' || data === null ? { results: data } : data;
    write(render(format, { ...partial, ok: false, problems }, () => ''));
  } else if (report) {
    write(report.table());
  }
  printProblems(problems);
}

function printProblems(problems: Problem[]): void {
  for (const p of problems) {
    process.stderr.write(`${red('error')} ${p.code}: ${p.message}${where(p)}\n`);
    if (p.hint) process.stderr.write(`  ${dim('hint:')} ${p.hint}\n`);
  }
}

/** Every task takes --format (SPEC: one document in that format, success or failure). */
function withFormat(def: TaskDefinition): TaskDefinition {
  return def.flags && 'format' in def.flags ? def : { ...def, flags: { ...def.flags, ...FORMAT_FLAG } };
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
  const specs: FlagSpecs = { ...withFormat(def).flags };
  DEFINITIONS.set(def.name, withFormat(def));
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
  const outcome = await execute(def, argv);
  if ('failed' in outcome) {
    printFailure(outcome.problems, outcome.format, outcome.report);
    throw new TaskFailed(outcome.failed);
  }
  const text = outcome.report ? render(outcome.format, outcome.report.data, outcome.report.table) : '';
  if (text !== '') write(text);
}

/** What one step of a task that runs others (demo) gets back: the step's data and its text in the format asked for. */
export interface StepResult {
  data: unknown;
  text: string;
}

/**
 * Runs a task as a step of another (demo): nothing is printed; its result comes back, and a
 * failure is thrown as a ProblemsError for the outer task to print in its own one document.
 */
export async function runStep(def: TaskDefinition, argv: readonly string[]): Promise<StepResult> {
  const outcome = await execute(def, argv);
  if ('failed' in outcome) throw new ProblemsError(outcome.problems, outcome.failed);
  return { data: outcome.report?.data, text: outcome.report ? render(outcome.format, outcome.report.data, outcome.report.table) : '' };
}

/** `--format X` or `--format=X` as given (the last one), when it is a format; else table. */
function formatIn(argv: readonly string[]): OutputFormat {
  let found: OutputFormat = 'table';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--format' ? argv[i + 1] : arg.startsWith('--format=') ? arg.slice('--format='.length) : undefined;
    if (value === 'json' || value === 'yaml' || value === 'table') found = value;
  }
  return found;
}

type Outcome =
  | { format: OutputFormat; report: Report | undefined }
  | { format: OutputFormat; report: Report | undefined; problems: Problem[]; failed: string };

async function execute(def: TaskDefinition, argv: readonly string[]): Promise<Outcome> {
  const specs: FlagSpecs = { ...withFormat(def).flags };
  let format: OutputFormat = 'table';
  let report: Report | undefined;
  try {
    // Before the flags are judged, so a wrong flag is reported in the format asked for too.
    format = formatIn(argv);
    const others = argv.filter((a) => a !== def.name && DEFINITIONS.has(a)).map((a) => DEFINITIONS.get(a)!.flags);
    const flags = parseFlags(argv, specs, Object.assign({}, ...others));
    format = assertFormat(flags.format);
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
      report: (data, table) => void (report = { data, table }),
      out: write,
      info: (text) => void process.stderr.write(text + '\n'),
      warn: (text) => void process.stderr.write(`${yellow('warning')} ${text}\n`),
      warnProblems: (problems) => problems.forEach((p) => ctx.warn(`${p.code}: ${p.message}${where(p)}`)),
    };
    await def.run(ctx);
    return { format, report };
  } catch (error) {
    if (error instanceof ProblemsError) return { format, report, problems: error.problems, failed: `${def.name}: ${error.message}` };
    // Anything else (a full disk, a bug) is coded too: one line, also under --silent, never a bare stack.
    const coded = systemError(error);
    if (process.env.PROVISIONING_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return { format, report, problems: [toProblem(coded)], failed: `${def.name} failed: ${coded.code}` };
  }
}

export type { GulpTask };
