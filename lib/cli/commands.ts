/**
 * The seed's command line as data: each `provisioning <words…>` command names the task it runs
 * and the flags its positional arguments fill. Nothing here does any work: `translate.ts` turns
 * a command line into the task's own flags and the task definition does the rest, so exit codes,
 * `--format` and coded errors are the gulp task's own.
 */

export interface Positional {
  /** Shown in usage as `<name>` (required) or `[name]`. */
  name: string;
  /** The task flag it fills: `upcloud` in `providers install upcloud wuji` becomes `--provider upcloud`. */
  flag: string;
  required: boolean;
}

/** A task flag the command cannot run without (shown in its usage line and help as required). */
export interface RequiredFlag {
  /** The task flag, e.g. `ver`. */
  flag: string;
  /** How usage writes it: `--version RANGE`. */
  label: string;
}

export interface Command {
  /** The words after `provisioning`, e.g. `['providers', 'install']`. */
  words: readonly string[];
  /** Other spellings of the same command, as the seed writes them (`module-loader sync-kcl`). */
  aliases?: readonly (readonly string[])[];
  /** Flags that must be given (a positional's flag given as `--flag` counts too). */
  required?: readonly RequiredFlag[];
  /** The task definition it runs (`DEFINITIONS` in tasks/support/task.ts). */
  task: string;
  positionals: readonly Positional[];
  /** One line for the command table, used when the task is not there to describe itself. */
  summary: string;
  /** Example command lines for `--help` and the README. */
  examples: readonly string[];
}

const req = (name: string, flag = name): Positional => ({ name, flag, required: true });
const opt = (name: string, flag = name): Positional => ({ name, flag, required: false });

export const COMMANDS: readonly Command[] = [
  {
    words: ['providers', 'list'],
    task: 'providers:list',
    positionals: [],
    summary: 'list every available provider',
    examples: ['provisioning providers list', 'provisioning providers list --kcl --format json'],
  },
  { words: ['providers', 'info'], task: 'providers:info', positionals: [req('provider')], summary: 'show one provider', examples: ['provisioning providers info upcloud'] },
  {
    words: ['providers', 'install'],
    task: 'providers:install',
    positionals: [req('provider'), req('infra')],
    summary: 'link a provider into an infra',
    examples: ['provisioning providers install upcloud wuji', 'provisioning providers install upcloud wuji --version ^0.0.1'],
  },
  {
    words: ['providers', 'remove'],
    task: 'providers:remove',
    positionals: [req('provider'), req('infra')],
    summary: 'undo an install',
    examples: ['provisioning providers remove upcloud wuji', 'provisioning providers remove upcloud wuji --force'],
  },
  {
    words: ['providers', 'installed'],
    task: 'providers:installed',
    positionals: [req('infra')],
    summary: 'list the providers an infra has',
    examples: ['provisioning providers installed wuji --format yaml'],
  },
  {
    words: ['providers', 'validate'],
    task: 'providers:validate',
    positionals: [opt('infra')],
    summary: 'check installs (every infra without <infra>)',
    examples: ['provisioning providers validate wuji', 'provisioning providers validate --production'],
  },
  // The seed's "Sync KCL dependencies" is `module-loader sync-kcl <infra>`: the same rebuild, from the records.
  {
    words: ['providers', 'sync'],
    aliases: [['module-loader', 'sync-kcl'], ['module-loader', 'sync']],
    task: 'providers:sync',
    positionals: [opt('infra')],
    summary: 'rebuild links from providers.manifest.yaml',
    examples: ['provisioning providers sync wuji', 'provisioning module-loader sync-kcl wuji'],
  },
  {
    words: ['providers', 'vendor'],
    task: 'providers:vendor',
    positionals: [req('provider'), req('infra')],
    required: [{ flag: 'ver', label: '--version RANGE' }],
    summary: 'pin a packed version into an infra',
    examples: ['provisioning providers vendor upcloud wuji --version ^0.0.1'],
  },
  { words: ['pack', 'core'], task: 'pack:core', positionals: [], summary: 'pack the core schemas', examples: ['provisioning pack core --version 0.0.1'] },
  {
    words: ['pack', 'provider'],
    task: 'pack:provider',
    positionals: [req('name', 'provider')],
    summary: 'pack one provider',
    examples: ['provisioning pack provider upcloud', 'provisioning pack provider upcloud --output dist --version 0.0.2'],
  },
  { words: ['pack', 'providers'], task: 'pack:providers', positionals: [], summary: 'pack every provider', examples: ['provisioning pack providers'] },
  { words: ['pack', 'list'], task: 'pack:list', positionals: [], summary: 'list the packages present', examples: ['provisioning pack list --format json'] },
  {
    words: ['pack', 'clean'],
    task: 'pack:clean',
    positionals: [],
    summary: 'keep the newest versions, delete the rest',
    examples: ['provisioning pack clean --keep-latest 3 --dry-run'],
  },
  {
    words: ['pack', 'verify'],
    task: 'pack:verify',
    positionals: [opt('provider')],
    summary: 'check packages against integrity and signatures',
    examples: ['provisioning pack verify', 'provisioning pack verify upcloud'],
  },
  {
    words: ['pack', 'test'],
    task: 'pack:test',
    positionals: [opt('provider')],
    summary: 'test packages in isolation: extracted alone, imports resolved, exports made again',
    examples: ['provisioning pack test', 'provisioning pack test upcloud --format json'],
  },
  {
    words: ['pack', 'publish'],
    task: 'pack:publish',
    positionals: [],
    summary: 'publish packages to a registry folder or an OCI registry',
    examples: ['provisioning pack publish --registry /srv/registry --test', 'provisioning pack publish --registry oci://ghcr.io/acme/providers'],
  },
  { words: ['pack', 'keygen'], task: 'pack:keygen', positionals: [], summary: 'write a minisign key pair', examples: ['provisioning pack keygen'] },
  {
    words: ['watch'],
    task: 'watch',
    positionals: [opt('infra')],
    summary: 're-validate infras when provider files change',
    examples: ['provisioning watch', 'provisioning watch wuji --debounce 200'],
  },
  {
    words: ['doctor'],
    task: 'doctor',
    positionals: [],
    summary: "run the seed's troubleshooting checklist",
    examples: ['provisioning doctor', 'provisioning doctor --format json'],
  },
];

/** Every spelling of a command: its own words, then the seed's. */
export function spellings(command: Command): readonly (readonly string[])[] {
  return [command.words, ...(command.aliases ?? [])];
}

/**
 * Seed spellings of task flags. `--version` is `--ver` for gulp tasks only because gulp-cli
 * owns `--version`; `--kcl` is the seed's short form of `--lang kcl`.
 */
export const FLAG_ALIASES: Readonly<Record<string, { flag: string; value?: string; display?: string }>> = {
  version: { flag: 'ver', display: '--version VERSION' },
  kcl: { flag: 'lang', value: 'kcl', display: '--kcl' },
};

/** The first words of every command (`providers`, `pack`, `watch`, and the seed's `module-loader`). */
export function groups(): string[] {
  return [...new Set(COMMANDS.flatMap((c) => spellings(c).map((w) => w[0]!)))];
}
