import { closest } from '../../lib/did-you-mean.ts';
import { ProvisioningError } from '../../lib/errors.ts';

export type FlagType = 'string' | 'boolean' | 'number';

export interface FlagSpec {
  type: FlagType;
  /** One line for `npx gulp --tasks`. */
  description: string;
}

export type FlagSpecs = Record<string, FlagSpec>;
export type Flags = Record<string, string | boolean | number | undefined>;

/** gulp-cli's own flags: they reach process.argv too and are not ours to judge. */
const GULP_FLAGS = new Set([
  'silent',
  'cwd',
  'gulpfile',
  'f',
  'tasks',
  'T',
  'tasks-simple',
  'tasks-json',
  'depth',
  'color',
  'no-color',
  'continue',
  'series',
  'log-level',
  'L',
  'compact-tasks',
  'sort-tasks',
  'preload',
  'require',
  'verify',
  'help',
  'h',
  'version',
  'v',
  'completion',
]);

/**
 * Parses `--name value`, `--name=value` and boolean `--name` from gulp's argv. Values come
 * after the task name (`npx gulp providers:install --provider aws --infra wuji`). `others` are
 * the flags of the other tasks named on the same command line (`npx gulp a b --x`): tolerated,
 * not read. Any other flag is an error with the nearest known one.
 */
export function parseFlags(argv: readonly string[], spec: FlagSpecs, others: FlagSpecs = {}): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') continue;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let name = eq === -1 ? body : body.slice(0, eq);
    if (GULP_FLAGS.has(name) || GULP_FLAGS.has(name.replace(/^no-/, ''))) {
      if (eq === -1 && ['cwd', 'gulpfile', 'f', 'depth', 'preload', 'require', 'completion', 'log-level'].includes(name)) i++;
      continue;
    }
    // `--no-sign` is `--sign=false`, as in most command lines.
    const negated = eq === -1 && name.startsWith('no-') && (spec[name.slice(3)] ?? others[name.slice(3)])?.type === 'boolean';
    if (negated) name = name.slice(3);
    const known = spec[name] ?? others[name];
    if (!known) {
      const near = closest(name, Object.keys(spec));
      const hint = near ? `did you mean --${near}?` : `it takes ${Object.keys(spec).map((f) => `--${f}`).join(', ') || 'no flags'}`;
      throw new ProvisioningError('INVALID_OPTION', `Cannot use option --${name}: this task does not take it`, { hint });
    }
    let value: string | boolean | number | undefined;
    if (known.type === 'boolean') {
      value = negated ? false : eq === -1 ? true : !['false', '0', 'no'].includes(body.slice(eq + 1));
    } else {
      const raw = eq !== -1 ? body.slice(eq + 1) : argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[++i] : undefined;
      if (raw === undefined) throw new ProvisioningError('INVALID_OPTION', `Cannot use option --${name}: it needs a value`);
      value = raw;
      if (known.type === 'number') {
        // Number('') is 0: an unset shell variable (`--keep-latest "$KEEP"`) must not mean "keep none".
        value = raw.trim() === '' ? NaN : Number(raw);
        if (!Number.isFinite(value)) throw new ProvisioningError('INVALID_OPTION', `Cannot use --${name} ${JSON.stringify(raw)}: expected a number`);
      }
    }
    if (name in spec) flags[name] = value;
  }
  return flags;
}
