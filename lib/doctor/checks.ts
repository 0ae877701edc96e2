/**
 * `doctor`: the seed's troubleshooting checklist, run. Each check says what it found and, for
 * each problem, the command that fixes it (in `hint`, as every problem's hint does):
 *
 * | check | the seed's words |
 * | `root` | "PROVISIONING environment variable not set": --base, $PROVISIONING, $PROVISIONING_CONFIG |
 * | `config` | config.defaults.toml / config.toml: it parses, placeholders resolve, no unknown keys |
 * | `nickel`, `kcl` | "Check KCL version (need 0.11.3+)": the binaries and their versions |
 * | `providers` | "Check provider exists", "Check kcl.mod exists": every provider folder discovered |
 * | `signing` | the keys [distribution.signing] names load |
 * | `folders` | the pack, registry and cache folders can be written; locks left by dead processes |
 * | `infra:<name>` | "Validate installation", "Check symlink": each infra's validate summary |
 *
 * Nothing is written. A check that cannot run (no root) is itself reported, and the others go on.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULTS_FILE } from '../config/defaults.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { isProvisioningError, type Problem, toProblem } from '../errors.ts';
import { validateInfras } from '../infra/validate.ts';
import { keyIdHex } from '../formats/minisign.ts';
import { findBinary } from '../pack/nickel.ts';
import { loadPublicKey, loadSecretKey } from '../sign/keys.ts';
import { scanProviders } from '../tree/providers.ts';
import { resolveRoot } from '../tree/root.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** `root`, `config`, `nickel`, `kcl`, `providers`, `signing`, `folders`, `infra:<name>`. */
  check: string;
  status: CheckStatus;
  /** One line for people: what was found. */
  detail: string;
  /** Each with a `hint` naming the command that fixes it. Errors make the check `fail`. */
  problems: Problem[];
  /** Problems that do not fail the run. */
  warnings: Problem[];
}

export interface DoctorReport {
  ok: boolean;
  root: string | undefined;
  checks: Check[];
}

export interface DoctorOptions {
  /** `--base DIR`. */
  base?: string | undefined;
  /** Where relative paths start, and the fallback root. Default `process.cwd()`. */
  cwd?: string;
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** The oldest kcl the seed's checklist accepts. */
const KCL_MIN = [0, 11, 3] as const;

const caught = (error: unknown): Problem => (isProvisioningError(error) ? toProblem(error) : { code: 'INTERNAL_ERROR', message: String(error) });

function check(name: string, detail: string, problems: Problem[] = [], warnings: Problem[] = []): Check {
  return { check: name, status: problems.length ? 'fail' : warnings.length ? 'warn' : 'ok', detail, problems, warnings };
}

/** Runs every check; `ok` is false when any check failed. */
export async function runDoctor({ base, cwd = process.cwd(), env = process.env }: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: Check[] = [];
  let root: string | undefined;
  const from = base ? '--base' : env.PROVISIONING ? '$PROVISIONING' : env.PROVISIONING_CONFIG ? '$PROVISIONING_CONFIG' : 'the current folder';
  try {
    root = resolveRoot({ base, env, cwd });
    checks.push(check('root', `${root} (from ${from})`));
  } catch (error) {
    const problem = caught(error);
    checks.push(
      check('root', `no provisioning root (from ${from})`, [{
        ...problem,
        hint: 'export PROVISIONING=/path/to/provisioning (the folder holding extensions/providers/), or pass --base DIR',
      }]),
    );
    return { ok: false, root, checks };
  }

  let config: Config;
  try {
    config = await loadConfig({ root });
    checks.push(configCheck(config));
  } catch (error) {
    checks.push(check('config', 'config/config.toml cannot be used', [caught(error)]));
    return { ok: false, root, checks };
  }

  const { providers, problems: folders } = await scanProviders(config);
  checks.push(nickelCheck(config));
  checks.push(kclCheck(config, providers.some((p) => p.language === 'kcl') || config.language === 'kcl'));
  const broken = providers.filter((p) => p.problem).map((p) => p.problem!);
  const folderErrors = folders.filter((p) => p.code !== 'NAME_MISMATCH');
  checks.push(
    check(
      'providers',
      `${providers.length} provider(s) in ${path.relative(root, config.paths.providers) || '.'}`,
      [...broken, ...folderErrors],
      folders.filter((p) => p.code === 'NAME_MISMATCH'),
    ),
  );
  checks.push(await signingCheck(config));
  checks.push(foldersCheck(config));

  const validation = await validateInfras({ config });
  for (const infra of validation.infras) {
    const detail = infra.errors.length ? `${infra.errors.length} problem(s)` : `ok (${infra.providers} provider(s))`;
    checks.push(check(`infra:${infra.infra}`, detail, infra.errors, infra.warnings));
  }
  if (validation.infras.length === 0) checks.push(check('infras', `no infras in ${path.relative(root, config.paths.infra) || '.'}`));
  return { ok: checks.every((c) => c.status !== 'fail'), root, checks };
}

/** Keys of config.toml that the defaults do not have: a typo there is silently no setting at all. */
function configCheck(config: Config): Check {
  const file = path.join(config.root, 'config', 'config.toml');
  if (!existsSync(file)) return check('config', 'no config/config.toml: the defaults apply');
  const known = parseToml(readFileSync(DEFAULTS_FILE, 'utf8')) as Record<string, unknown>;
  const own = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const unknown: string[] = [];
  const walk = (mine: Record<string, unknown>, theirs: Record<string, unknown> | undefined, at: string) => {
    for (const [key, value] of Object.entries(mine)) {
      const dotted = at ? `${at}.${key}` : key;
      if (theirs === undefined || !(key in theirs)) unknown.push(dotted);
      else if (isTable(value) && isTable(theirs[key])) walk(value, theirs[key], dotted);
    }
  };
  walk(own, known, '');
  const warnings = unknown.map((key): Problem => ({
    code: 'CONFIG_INVALID',
    message: `config/config.toml sets "${key}", which the toolkit does not read`,
    file,
    hint: `check its spelling against config/config.defaults.toml of the toolkit, or remove it from ${file}`,
  }));
  return check('config', `${file}: placeholders resolved`, [], warnings);
}

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** `<bin> <args>`'s first line of output, or undefined when it does not run. */
function versionOf(bin: string, args: string[]): string | undefined {
  const run = spawnSync(bin, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error || run.status !== 0) return undefined;
  return `${run.stdout}${run.stderr}`.trim().split('\n')[0];
}

function nickelCheck(config: Config): Check {
  const { bin, export: mode } = config.nickel;
  if (mode === 'off') return check('nickel', 'not used ([nickel] export = "off")');
  const found = findBinary(bin, { cwd: config.root });
  if (!found) {
    const problem: Problem = {
      code: 'NICKEL_NOT_FOUND',
      message: `"${bin}" is not an executable on PATH`,
      hint: 'install nickel (https://nickel-lang.org) and put it on PATH, set [nickel] bin to its path, or set [nickel] export = "off"',
    };
    return mode === 'required'
      ? check('nickel', 'not found, and [nickel] export = "required"', [problem])
      : check('nickel', 'not found: packs hold sources only ("exported": false)', [], [problem]);
  }
  const version = versionOf(found, ['--version']);
  return version ? check('nickel', `${found}: ${version}`) : check('nickel', `${found} does not run`, [], [{
    code: 'NICKEL_NOT_FOUND',
    message: `"${found} --version" failed`,
    hint: `reinstall nickel, or set [nickel] bin to a working one`,
  }]);
}

function kclCheck(config: Config, used: boolean): Check {
  const found = findBinary('kcl', { cwd: config.root });
  if (!found) {
    if (!used) return check('kcl', 'not found (no legacy KCL providers here, so not needed)');
    return check('kcl', 'not found, but KCL providers are here', [], [{
      code: 'KCL_NOT_FOUND',
      message: '"kcl" is not an executable on PATH',
      hint: `install kcl ${KCL_MIN.join('.')} or newer (https://kcl-lang.io) to work on the legacy KCL providers`,
    }]);
  }
  const line = versionOf(found, ['version']) ?? versionOf(found, ['--version']);
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(line ?? '')?.slice(1).map(Number);
  if (!version) {
    return check('kcl', `${found}: version unknown`, [], [{
      code: 'VERSION_MISMATCH',
      message: `cannot read the version of "${found}"`,
      hint: `check it with \`${found} version\` (KCL ${KCL_MIN.join('.')}+ is needed)`,
    }]);
  }
  const older = version[0]! - KCL_MIN[0] || version[1]! - KCL_MIN[1] || version[2]! - KCL_MIN[2];
  if (older < 0) {
    return check('kcl', `${found}: ${version.join('.')}`, [], [{
      code: 'VERSION_MISMATCH',
      message: `kcl ${version.join('.')} is older than ${KCL_MIN.join('.')}`,
      hint: `upgrade kcl to ${KCL_MIN.join('.')} or newer (https://kcl-lang.io)`,
    }]);
  }
  return check('kcl', `${found}: ${version.join('.')}`);
}

async function signingCheck(config: Config): Promise<Check> {
  const { secretKey, publicKeys, requireSignatures } = config.distribution.signing;
  const problems: Problem[] = [];
  const found: string[] = [];
  if (secretKey !== undefined) {
    try {
      const key = await loadSecretKey({ secretKeyFile: secretKey });
      found.push(`secret key ${keyIdHex(key.keyId)}`);
    } catch (error) {
      problems.push(caught(error));
    }
  }
  for (const file of publicKeys) {
    try {
      const key = await loadPublicKey(file);
      found.push(`public key ${keyIdHex(key.keyId)}`);
    } catch (error) {
      problems.push(caught(error));
    }
  }
  if (requireSignatures && publicKeys.length === 0) {
    problems.push({
      code: 'KEY_INVALID',
      message: 'require_signatures = true, but no [distribution.signing] public_keys are configured: nothing can be verified',
      hint: 'add public_keys = ["config/keys/provisioning.pub"] (made by `npx gulp pack:keygen`)',
    });
  }
  if (secretKey === undefined && publicKeys.length === 0) return check('signing', 'not configured (packs are not signed; `npx gulp pack:keygen` makes a key pair)', problems);
  return check('signing', found.join(', ') || 'configured', problems);
}

/** The distribution folders: each writable where it is or where it would be made. */
function foldersCheck(config: Config): Check {
  const { packPath, registryPath, cachePath } = config.distribution;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  for (const dir of [packPath, registryPath, cachePath]) {
    let at = dir;
    while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
    try {
      accessSync(at, constants.W_OK);
    } catch {
      problems.push({
        code: 'OUTPUT_UNWRITABLE',
        message: `Cannot write "${dir}": ${at} is not writable`,
        file: dir,
        hint: `make ${at} writable (chmod u+w ${at}), or point [distribution] at a writable folder in config/config.toml`,
      });
    }
  }
  for (const lock of lockFolders(config)) {
    const owner = readFileSync(path.join(lock, 'owner'), 'utf8').split(' ')[0];
    const pid = Number(owner);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      warnings.push({
        code: 'LOCK_TIMEOUT',
        message: `${lock} is held by running process ${pid}`,
        file: lock,
        hint: `wait for process ${pid} to finish (a task waits for it too)`,
      });
    }
  }
  return check('folders', `${[packPath, registryPath, cachePath].map((d) => path.relative(config.root, d)).join(', ')}: writable`, problems, warnings);
}

/** Lock folders (`.provisioning.lock`) in the infras and the distribution folders that have an owner file. */
function lockFolders(config: Config): string[] {
  const places = [config.distribution.packPath, config.distribution.registryPath, config.distribution.cachePath];
  if (existsSync(config.paths.infra)) {
    for (const entry of readdirSync(config.paths.infra, { withFileTypes: true })) if (entry.isDirectory()) places.push(path.join(config.paths.infra, entry.name));
  }
  return places.map((p) => path.join(p, '.provisioning.lock')).filter((lock) => existsSync(path.join(lock, 'owner')) && statSync(lock).isDirectory());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
