import { bold, dim } from '../output/style.ts';
import { type Command, COMMANDS, FLAG_ALIASES } from './commands.ts';
import type { FlagInfo } from './translate.ts';

/** What help needs to know about a task: its description and flags, or nothing when absent. */
export type TaskInfo = (task: string) => { description: string; flags: Record<string, FlagInfo> } | undefined;

const GROUP_TITLES: Record<string, string> = {
  providers: 'Module-loader commands',
  pack: 'Provider pack commands',
  watch: 'Day to day',
  doctor: 'Troubleshooting',
};

function positionalsOf(command: Command): string {
  return command.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(' ');
}

/** `provisioning providers vendor <provider> <infra> --version RANGE [flags]`. */
export function usageLine(command: Command): string {
  const required = (command.required ?? []).map((r) => r.label).join(' ');
  return `usage: provisioning ${[...command.words, positionalsOf(command), required, '[flags]'].filter(Boolean).join(' ')}`;
}

const PLACEHOLDERS: Record<string, string> = { base: 'DIR', output: 'DIR', registry: 'DIR', format: 'table|json|yaml', lang: 'nickel|kcl' };

function flagLabel(name: string, spec: FlagInfo): string {
  // `--ver` is shown as the seed's `--version` (both are accepted).
  const alias = Object.entries(FLAG_ALIASES).find(([, a]) => a.flag === name && a.value === undefined);
  if (alias?.[1].display) return alias[1].display;
  const value = spec.type === 'boolean' ? '' : spec.type === 'number' ? ' N' : ` ${PLACEHOLDERS[name] ?? name.toUpperCase()}`;
  return `--${name}${value}`;
}

function columns(rows: [string, string][], width = Math.max(0, ...rows.map(([left]) => left.length))): string[] {
  const indent = '  ';
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}

/** `provisioning --help`: every command, grouped as in the seed. */
export function topHelp(info: TaskInfo): string {
  const lines = [`${bold('Usage:', process.stdout)} provisioning <command> [arguments] [flags]`, ''];
  for (const group of [...new Set(COMMANDS.map((c) => c.words[0]!))]) lines.push(...groupLines(group, info), '');
  lines.push(
    'Flags come after the command; every command takes --help and --base DIR (the provisioning root,',
    'else $PROVISIONING, else the current folder). Each command runs the gulp task of the same name',
    '(`providers install` is `npx gulp providers:install`), with the same output and exit codes:',
    '0 done, 1 the task failed (each problem printed with its code), 2 the command line is wrong.',
  );
  return lines.join('\n');
}

function groupLines(group: string, info: TaskInfo): string[] {
  const own = COMMANDS.filter((c) => c.words[0] === group);
  // A group that is only the seed's spelling (`module-loader`) lists the commands it names.
  const listed = own.length > 0 ? own : COMMANDS.filter((c) => c.aliases?.some((a) => a[0] === group));
  const rows: [string, string][] = listed.map((c) => {
    const task = info(c.task);
    return [[...c.words, positionalsOf(c)].filter(Boolean).join(' '), task ? task.description : `${c.summary} ${dim('(not in this build)', process.stdout)}`];
  });
  // One width for every group, so the whole command table lines up.
  const width = Math.max(...COMMANDS.map((c) => [...c.words, positionalsOf(c)].join(' ').length));
  return [`${GROUP_TITLES[group] ?? group}:`, ...columns(rows, width)];
}

/** `provisioning providers --help`. */
export function groupHelp(group: string, info: TaskInfo): string {
  return [`${bold('Usage:', process.stdout)} provisioning ${group} <command> [arguments] [flags]`, '', ...groupLines(group, info)].join('\n');
}

/** `provisioning providers install --help`: usage, arguments, flags (from the task's FlagSpecs), examples. */
export function commandHelp(command: Command, info: TaskInfo): string {
  const task = info(command.task);
  const lines = [`${bold('Usage:', process.stdout)} ${usageLine(command).slice('usage: '.length)}`, ''];
  lines.push(task ? task.description : `${command.summary} — not in this build (its task ${command.task} is missing)`);
  lines.push(dim(`Runs the gulp task ${command.task}.`, process.stdout));
  const flags = task?.flags ?? {};
  if (command.positionals.length > 0) {
    lines.push('', 'Arguments:');
    lines.push(...columns(command.positionals.map((p) => [p.required ? `<${p.name}>` : `[${p.name}]`, `${flags[p.flag]?.description ?? p.flag} (or --${p.flag})`])));
  }
  const filled = new Set(command.positionals.map((p) => p.flag));
  const required = new Map((command.required ?? []).map((r) => [r.flag, r.label]));
  const rows: [string, string][] = Object.entries(flags)
    .filter(([name]) => !filled.has(name))
    .map(([name, spec]) => required.has(name) ? [required.get(name)!, `(required) ${spec.description}`] : [flagLabel(name, spec), spec.description]);
  if ('lang' in flags) rows.push(['--kcl', 'same as --lang kcl']);
  rows.push(['-h, --help', 'this help']);
  lines.push('', 'Flags:', ...columns(rows));
  if (command.aliases?.length) lines.push('', `Also spelled (as in the seed): ${command.aliases.map((a) => `provisioning ${a.join(' ')}`).join(', ')}`);
  lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
