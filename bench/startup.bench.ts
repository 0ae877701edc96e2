/**
 * Benchmark: whole processes, started as a user starts them (`node_modules/.bin/gulp`, the binary
 * `npx gulp` runs, without npx's own ~0.3 s), each paired with its yardstick in the same run:
 *
 *   npx tsx bench/startup.bench.ts [--rounds 10] [--project DIR] [--no-deno] [--providers 200] [--files 40]
 *
 * | case                                   | yardstick                                            | target |
 * | `gulp --tasks`                         | bare gulp-cli `--tasks`, a one-task JS gulpfile      | <= 1.3x |
 * | `gulp providers:list` (example tree)   | bare gulp-cli running its one task                   | <= 1.3x |
 * | `gulp pack:providers`, nothing changed | bare gulp-cli running its one task                   | <= 1.5x |
 * | `gulp pack:providers`, cold            | GNU `tar -cf` + `sha256sum` loop over the same tree  | <= 0.5x |
 * | the same under `deno run -A tools/gulp-deno.ts` | the same yardsticks                         | recorded |
 *
 * Rounds alternate the two commands (A B, B A, …) and each round's ratio is A/B of that round, so
 * a machine whose speed drifts (a shared one) moves both alike; the medians are printed. Before
 * each cold pack the output is deleted and `sync` run, outside the timing; both sides then write
 * ~8,000 files' worth of tars without flushing them. `--project DIR` measures another checkout
 * (say the commit before a change; its node_modules may be a link to this one's).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GNU_LOOP, makeTree } from './synthetic-tree.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1]!;
};
const ROUNDS = Number(option('rounds', '10'));
const PROVIDERS = Number(option('providers', '200'));
const FILES = Number(option('files', '40'));
const HERE = fileURLToPath(new URL('../', import.meta.url));
const PROJECT = path.resolve(option('project', HERE));
const GULP = path.join(PROJECT, 'node_modules/.bin/gulp');
const DENO = path.join(HERE, 'node_modules/.bin/deno');

interface Command {
  label: string;
  argv: string[];
  cwd: string;
  /** Run before each timed run, not timed (delete the output, `sync`). */
  before?: () => void;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Timing {
  wall: number;
  /** user + system CPU of the process and its children (GNU time), when /usr/bin/time exists. */
  cpu: number;
}

/** Wall and CPU time of one whole process, in ms; throws when it fails. */
function timed(cmd: Command): Timing {
  cmd.before?.();
  const timeFile = path.join(work, 'time.txt');
  const argv = TIME ? [TIME, '-f', '%U %S', '-o', timeFile, ...cmd.argv] : cmd.argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: cmd.cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${cmd.label} failed (exit ${result.status}):\n${result.stderr}`);
  const [user, sys] = TIME ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN];
  return { wall, cpu: (user! + sys!) * 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Pair {
  label: string;
  /** Medians, ms. */
  a: number;
  b: number;
  /** Median, min and max of the rounds' A/B wall-time ratios. */
  ratio: number;
  min: number;
  max: number;
  /** Median of the rounds' A/B CPU-time ratios (steadier than wall time on a loaded machine). */
  cpuRatio: number;
  target?: string;
}

/** A and B in turn (one warm-up each, then `rounds` rounds, alternating which goes first). */
function pair(a: Command, b: Command, target?: string, rounds = ROUNDS): Pair {
  timed(a);
  timed(b);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let ta: Timing;
    let tb: Timing;
    if (i % 2 === 0) {
      ta = timed(a);
      tb = timed(b);
    } else {
      tb = timed(b);
      ta = timed(a);
    }
    as.push(ta.wall);
    bs.push(tb.wall);
    ratios.push(ta.wall / tb.wall);
    cpuRatios.push(ta.cpu / tb.cpu);
  }
  const result = {
    label: `${a.label} / ${b.label}`, a: median(as), b: median(bs), ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios),
    cpuRatio: median(cpuRatios), ...(target ? { target } : {}),
  };
  process.stdout.write(`${row(result)}\n`);
  return result;
}

const row = (p: Pair) =>
  `${p.label.padEnd(64)} ${p.a.toFixed(0).padStart(6)} ms ${p.b.toFixed(0).padStart(6)} ms  ${p.ratio.toFixed(2)}x (${p.min.toFixed(2)}-${p.max.toFixed(2)})  cpu ${p.cpuRatio.toFixed(2)}x${p.target ? `  target ${p.target}` : ''}`;
const loadavg = () => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'unknown');

const work: string = mkdtempSync(path.join(tmpdir(), 'startup-bench-'));
try {
  const loadBefore = loadavg();
  // The yardstick gulpfile: one task, plain JavaScript, gulp-cli and gulp from the same node_modules.
  const bare = path.join(work, 'bare');
  mkdirSync(bare);
  writeFileSync(path.join(bare, 'gulpfile.js'), 'exports.hello = function hello(cb) { cb(); };\n');
  symlinkSync(path.join(PROJECT, 'node_modules'), path.join(bare, 'node_modules'));
  const example = path.join(work, 'example');
  cpSync(path.join(PROJECT, 'examples/provisioning'), example, { recursive: true });
  const big = path.join(work, 'big');
  await makeTree(big, PROVIDERS, FILES);
  const gnuOut = path.join(work, 'gnu-out');
  const fresh = (dir: string) => () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sync');
  };

  const bareTasks: Command = { label: 'bare gulp --tasks', argv: [GULP, '--tasks'], cwd: bare };
  const bareRun: Command = { label: 'bare gulp hello', argv: [GULP, 'hello'], cwd: bare };
  const gnu: Command = { label: 'GNU tar loop', argv: ['bash', '-c', GNU_LOOP, 'bench', big, gnuOut], cwd: work, before: fresh(gnuOut) };
  const dist = path.join(big, 'distribution');
  const gulp = (label: string, ...rest: string[]): Command => ({ label, argv: [GULP, ...rest], cwd: PROJECT });

  process.stdout.write(`${'pair (A / B), medians'.padEnd(64)} ${'A wall'.padStart(9)} ${'B wall'.padStart(9)}  A/B wall (min-max)  A/B cpu\n`);
  const results: Pair[] = [];
  results.push(pair(gulp('gulp --tasks', '--tasks'), bareTasks, '<= 1.3x'));
  results.push(pair(gulp('gulp providers:list', 'providers:list', '--base', example), bareRun, '<= 1.3x'));
  timed(gulp('pack (fill)', 'pack:providers', '--base', big, '--silent'));
  results.push(pair(gulp('gulp pack:providers (nothing changed)', 'pack:providers', '--base', big, '--silent'), bareRun, '<= 1.5x'));
  const cold = { ...gulp('gulp pack:providers (cold)', 'pack:providers', '--base', big, '--silent'), before: fresh(dist) };
  results.push(pair(cold, gnu, '<= 0.5x', Math.max(3, Math.ceil(ROUNDS / 2))));

  if (!args.includes('--no-deno') && existsSync(DENO)) {
    const deno = (label: string, ...rest: string[]): Command => ({ label, argv: [DENO, 'run', '-A', path.join(PROJECT, 'tools/gulp-deno.ts'), ...rest], cwd: PROJECT });
    results.push(pair(deno('deno gulp-deno --tasks', '--tasks'), bareTasks));
    results.push(pair(deno('deno gulp-deno providers:list', 'providers:list', '--base', example), bareRun));
    timed(deno('deno pack (fill)', 'pack:providers', '--base', big, '--silent'));
    results.push(pair(deno('deno gulp-deno pack:providers (nothing changed)', 'pack:providers', '--base', big, '--silent'), bareRun));
    results.push(pair({ ...deno('deno gulp-deno pack:providers (cold)', 'pack:providers', '--base', big, '--silent'), before: fresh(dist) }, gnu, undefined, Math.max(3, Math.ceil(ROUNDS / 2))));
  }

  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1]) ?? cpus()[0]?.model ?? 'unknown';
  const denoVersion = existsSync(DENO) ? execFileSync(DENO, ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'no deno';
  process.stdout.write([
    '',
    `project: ${PROJECT}`,
    `machine: ${cpus().length} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpu}, node ${process.version}, ${denoVersion}`,
    `load average (1/5/15 min): ${loadBefore} before, ${loadavg()} after`,
    `rounds: ${ROUNDS} (cold packs: ${Math.max(3, Math.ceil(ROUNDS / 2))}), tree: ${PROVIDERS} providers x ${FILES} files, nickel export off`,
  ].join('\n') + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
