import { closest } from '../did-you-mean.ts';
import { type Command, COMMANDS, FLAG_ALIASES, groups, spellings } from './commands.ts';
import { CliError } from './errors.ts';
import { usageLine } from './help.ts';

/** A task flag as the task declares it (the FlagSpec of tasks/support/flags.ts, structurally). */
export interface FlagInfo {
  type: 'string' | 'boolean' | 'number';
  description: string;
}

/** What a command line asks for. */
export type Parsed =
  | { kind: 'help'; command?: Command; group?: string }
  | { kind: 'version' }
  | { kind: 'run'; command: Command; argv: string[] };

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/** The command named by the leading words of `argv`, and how many words it took. */
export function findCommand(argv: readonly string[]): { command?: Command; group?: string; used: number } {
  const [first, second] = argv;
  if (first === undefined || first.startsWith('-')) return { used: 0 };
  const words = COMMANDS.flatMap((command) => spellings(command).map((w) => ({ command, w })));
  const one = words.find(({ w }) => w.length === 1 && w[0] === first);
  if (one) return { command: one.command, used: 1 };
  const inGroup = words.filter(({ w }) => w.length === 2 && w[0] === first);
  if (inGroup.length === 0) {
    const near = closest(first, groups());
    throw new CliError('UNKNOWN_COMMAND', `Cannot run "${first}": no such command`, near ? `did you mean "provisioning ${near}"?` : `commands: ${groups().join(', ')}`);
  }
  if (second === undefined || second.startsWith('-')) return { group: first, used: 1 };
  const command = inGroup.find(({ w }) => w[1] === second)?.command;
  if (!command) {
    const subs = inGroup.map(({ w }) => w[1]!);
    const near = closest(second, subs);
    throw new CliError(
      'UNKNOWN_COMMAND',
      `Cannot run "${first} ${second}": no such command`,
      near ? `did you mean "provisioning ${first} ${near}"?` : `${first} commands: ${subs.join(', ')}`,
    );
  }
  return { command, used: 2 };
}

/**
 * Turns `providers install upcloud wuji --version 0.0.1` into the task's own argv
 * (`--provider upcloud --infra wuji --ver 0.0.1`). `flagsOf(task)` gives the task's FlagSpecs,
 * or undefined when this build has no such task. Flags are checked against that task only, so
 * a typo is a usage error with the nearest flag rather than silently ignored.
 */
export function translate(argv: readonly string[], flagsOf: (task: string) => Record<string, FlagInfo> | undefined): Parsed {
  if (argv.length === 0 || isHelp(argv[0]!)) return { kind: 'help' };
  if (argv[0] === '--version' || argv[0] === '-V') return { kind: 'version' };
  if (argv[0]!.startsWith('-')) {
    throw new CliError('USAGE', `Cannot use ${argv[0]} before the command`, 'flags come after the command: provisioning <command> [arguments] [flags]');
  }
  const { command, group, used } = findCommand(argv);
  const rest = argv.slice(used);
  if (!command) {
    if (rest.some(isHelp)) return { kind: 'help', group: group! };
    throw new CliError('USAGE', `Cannot run "${group}" alone: it needs a command`, `run "provisioning ${group} --help" for its commands`);
  }
  if (rest.some(isHelp)) return { kind: 'help', command };
  const specs = flagsOf(command.task);
  if (!specs) {
    throw new CliError(
      'COMMAND_UNAVAILABLE',
      `Cannot run "${command.words.join(' ')}": its task ${command.task} is not part of this build`,
      'run "provisioning --help" for the commands available',
    );
  }

  const out: string[] = [];
  const given = new Set<string>();
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      words.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const written = eq === -1 ? body : body.slice(0, eq);
    const alias = FLAG_ALIASES[written];
    const name = alias && alias.flag in specs ? alias.flag : written;
    const spec = specs[name];
    if (!spec) {
      const known = [...Object.keys(specs), ...Object.keys(FLAG_ALIASES).filter((a) => FLAG_ALIASES[a]!.flag in specs)];
      const near = closest(written, known);
      throw new CliError(
        'USAGE',
        `Cannot use --${written} with "${command.words.join(' ')}"`,
        near ? `did you mean --${near}?` : `run "provisioning ${command.words.join(' ')} --help" for its flags`,
      );
    }
    given.add(name);
    if (alias?.value !== undefined && name === alias.flag) {
      out.push(`--${name}`, alias.value);
    } else if (spec.type === 'boolean') {
      out.push(eq === -1 ? `--${name}` : `--${name}=${body.slice(eq + 1)}`);
    } else if (eq !== -1) {
      out.push(`--${name}=${body.slice(eq + 1)}`);
    } else {
      const value = rest[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliError('USAGE', `Cannot use --${written}: it needs a value`, usageLine(command));
      out.push(`--${name}`, value);
      i++;
    }
  }

  if (words.length > command.positionals.length) {
    throw new CliError('USAGE', `Cannot run "${command.words.join(' ')}" with ${JSON.stringify(words[command.positionals.length])}: too many arguments`, usageLine(command));
  }
  const lead: string[] = [];
  for (const [index, positional] of command.positionals.entries()) {
    const word = words[index];
    if (word !== undefined) {
      if (given.has(positional.flag)) throw new CliError('USAGE', `Cannot take <${positional.name}> twice (as "${word}" and as --${positional.flag})`, usageLine(command));
      lead.push(`--${positional.flag}`, word);
    } else if (positional.required && !given.has(positional.flag)) {
      throw new CliError('USAGE', `Cannot run "${command.words.join(' ')}": <${positional.name}> is missing`, usageLine(command));
    }
  }
  for (const required of command.required ?? []) {
    if (!given.has(required.flag)) throw new CliError('USAGE', `Cannot run "${command.words.join(' ')}": ${required.label.split(' ')[0]} is missing`, usageLine(command));
  }
  return { kind: 'run', command, argv: [...lead, ...out] };
}
