import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMANDS } from '../../lib/cli/commands.ts';
import { CliError } from '../../lib/cli/errors.ts';
import { type FlagInfo, translate } from '../../lib/cli/translate.ts';

// The flags the real tasks declare, enough to exercise the translation without loading them.
const s = (description = ''): FlagInfo => ({ type: 'string', description });
const b = (description = ''): FlagInfo => ({ type: 'boolean', description });
const FLAGS: Record<string, Record<string, FlagInfo>> = {
  'providers:list': { base: s(), format: s(), lang: s() },
  'providers:info': { base: s(), provider: s(), lang: s() },
  'providers:install': { base: s(), provider: s(), infra: s(), ver: s() },
  'providers:remove': { base: s(), provider: s(), infra: s(), force: b() },
  'providers:installed': { base: s(), infra: s(), format: s() },
  'providers:validate': { base: s(), infra: s(), production: b(), format: s() },
  'pack:provider': { base: s(), provider: s(), ver: s(), output: s() },
  'pack:clean': { base: s(), 'keep-latest': { type: 'number', description: '' }, 'dry-run': b() },
  'providers:vendor': { base: s(), provider: s(), infra: s(), ver: s(), registry: s(), force: b() },
  'providers:sync': { base: s(), infra: s(), force: b() },
  'pack:providers': { base: s(), ver: s(), output: s() },
  'pack:list': { base: s(), format: s() },
  'pack:core': { base: s(), ver: s(), output: s() },
  doctor: { base: s(), format: s() },
};
const flagsOf = (task: string) => FLAGS[task];

function argvOf(line: string): string[] | string {
  try {
    const parsed = translate(line.split(' ').filter(Boolean), flagsOf);
    return parsed.kind === 'run' ? parsed.argv : parsed.kind;
  } catch (error) {
    if (error instanceof CliError) return `${error.code}:${error.exitCode}`;
    throw error;
  }
}

const cases: [string, string, string[] | string][] = [
  ['install with --version', 'providers install upcloud wuji --version 0.0.1', ['--provider', 'upcloud', '--infra', 'wuji', '--ver', '0.0.1']],
  ['install with --version=', 'providers install upcloud wuji --version=^0.0.1', ['--provider', 'upcloud', '--infra', 'wuji', '--ver=^0.0.1']],
  ['flags before positionals', 'providers install --version 0.0.1 upcloud wuji', ['--provider', 'upcloud', '--infra', 'wuji', '--ver', '0.0.1']],
  ['flag form still works', 'providers install --provider upcloud --infra wuji', ['--provider', 'upcloud', '--infra', 'wuji']],
  ['--kcl is --lang kcl', 'providers list --kcl --format json', ['--lang', 'kcl', '--format', 'json']],
  ['info --kcl', 'providers info local --kcl', ['--provider', 'local', '--lang', 'kcl']],
  ['installed --format', 'providers installed wuji --format yaml', ['--infra', 'wuji', '--format', 'yaml']],
  ['remove --force', 'providers remove upcloud wuji --force', ['--provider', 'upcloud', '--infra', 'wuji', '--force']],
  ['validate without infra', 'providers validate', []],
  ['validate with infra', 'providers validate wuji --production', ['--infra', 'wuji', '--production']],
  ['pack provider <name>', 'pack provider aws --output dist --version 0.0.2', ['--provider', 'aws', '--output', 'dist', '--ver', '0.0.2']],
  ['pack clean', 'pack clean --keep-latest 3 --dry-run', ['--keep-latest', '3', '--dry-run']],
  ['--base passes through', 'providers list --base /tmp/x', ['--base', '/tmp/x']],
  ['after --, words are positional', 'providers info -- upcloud', ['--provider', 'upcloud']],
  ['help', '--help', 'help'],
  ['no arguments is help', '', 'help'],
  ['command help', 'providers install --help', 'help'],
  ['command -h', 'pack clean -h', 'help'],
  ['group help', 'providers --help', 'help'],
  ['version', '--version', 'version'],
  ['unknown group', 'provders list', 'UNKNOWN_COMMAND:2'],
  ['unknown command', 'providers instal upcloud wuji', 'UNKNOWN_COMMAND:2'],
  ['group alone', 'pack', 'USAGE:2'],
  ['missing positional', 'providers install upcloud', 'USAGE:2'],
  ['too many positionals', 'providers info upcloud aws', 'USAGE:2'],
  ['positional twice', 'providers info upcloud --provider aws', 'USAGE:2'],
  ['unknown flag', 'providers install upcloud wuji --forse', 'USAGE:2'],
  ['flag of another task', 'providers list --force', 'USAGE:2'],
  ['value missing', 'providers install upcloud wuji --version', 'USAGE:2'],
  ['flag before the command', '--base x providers list', 'USAGE:2'],
  ['task not in this build', 'pack publish --registry /r', 'COMMAND_UNAVAILABLE:1'],
  ['vendor with --version', 'providers vendor hetzner alpha --version ^1.0', ['--provider', 'hetzner', '--infra', 'alpha', '--ver', '^1.0']],
  ['vendor without --version is a usage error', 'providers vendor hetzner alpha', 'USAGE:2'],
  // The seed's own spellings (provider-distribution-guide.txt, "Command Reference").
  ['seed: module-loader sync-kcl <infra>', 'module-loader sync-kcl wuji', ['--infra', 'wuji']],
  ['seed: module-loader sync <infra>', 'module-loader sync wuji', ['--infra', 'wuji']],
  ['seed: pack providers --version', 'pack providers --version 0.2.0', ['--ver', '0.2.0']],
  ['seed: pack list --format', 'pack list --format json', ['--format', 'json']],
  ['seed: providers validate <infra>', 'providers validate wuji', ['--infra', 'wuji']],
  ['doctor', 'doctor --format json', ['--format', 'json']],
];

const t = suite('cli: translate');
for (const [name, line, expected] of cases) t(name, () => assert.equal(argvOf(line), expected));

t('a typo gets the nearest command or flag', () => {
  for (const [line, hint] of [['providers instal a b', 'providers install'], ['provders list', 'providers'], ['providers install a b --forse', undefined]] as const) {
    try {
      translate(line.split(' '), flagsOf);
      assert.unreachable();
    } catch (error) {
      if (hint) assert.match((error as CliError).hint ?? '', hint);
      else assert.ok((error as CliError).hint);
    }
  }
});

t('a required flag that is missing is named, with the usage line marking it', () => {
  try {
    translate(['providers', 'vendor', 'hetzner', 'alpha'], flagsOf);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, CliError);
    assert.is((error as CliError).exitCode, 2);
    assert.match((error as CliError).message, '--version');
    assert.match((error as CliError).hint ?? '', 'providers vendor <provider> <infra> --version RANGE');
  }
});

t("the seed's spellings run the same tasks as ours", () => {
  const task = (line: string) => {
    const parsed = translate(line.split(' '), flagsOf);
    return parsed.kind === 'run' ? parsed.command.task : parsed.kind;
  };
  assert.is(task('module-loader sync-kcl wuji'), 'providers:sync');
  assert.is(task('providers sync wuji'), 'providers:sync');
  assert.is(task('pack providers'), 'pack:providers');
  assert.is(task('doctor'), 'doctor');
});

t('every command has a task, examples, and positionals filling distinct flags', () => {
  for (const c of COMMANDS) {
    assert.ok(c.task && c.examples.length > 0, c.words.join(' '));
    const flags = c.positionals.map((p) => p.flag);
    assert.is(new Set(flags).size, flags.length);
  }
});
t.run();
