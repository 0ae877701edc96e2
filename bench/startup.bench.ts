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
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, loadavg, option, type Pair, pair as pairIn, setWork, timed } from './measure.ts';
import { GNU_LOOP, makeTree } from './synthetic-tree.ts';

const args = process.argv.slice(2);
const ROUNDS = Number(option('rounds', '10'));
const PROVIDERS = Number(option('providers', '200'));
const FILES = Number(option('files', '40'));
const HERE = fileURLToPath(new URL('../', import.meta.url));
const PROJECT = path.resolve(option('project', HERE));
const GULP = path.join(PROJECT, 'node_modules/.bin/gulp');
const DENO = path.join(HERE, 'node_modules/.bin/deno');

const work: string = mkdtempSync(path.join(tmpdir(), 'startup-bench-'));
setWork(work);
const pair = (a: Command, b: Command, target?: string, rounds = ROUNDS): Pair => pairIn(a, b, target, rounds);
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
    results.push(
      pair(
        { ...deno('deno gulp-deno pack:providers (cold)', 'pack:providers', '--base', big, '--silent'), before: fresh(dist) },
        gnu,
        undefined,
        Math.max(3, Math.ceil(ROUNDS / 2)),
      ),
    );
  }

  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1]) ?? cpus()[0]?.model ?? 'unknown';
  const denoVersion = existsSync(DENO) ? execFileSync(DENO, ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'no deno';
  process.stdout.write(
    [
      '',
      `project: ${PROJECT}`,
      `machine: ${cpus().length} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpu}, node ${process.version}, ${denoVersion}`,
      `load average (1/5/15 min): ${loadBefore} before, ${loadavg()} after`,
      `rounds: ${ROUNDS} (cold packs: ${Math.max(3, Math.ceil(ROUNDS / 2))}), tree: ${PROVIDERS} providers x ${FILES} files, nickel export off`,
    ].join('\n') + '\n',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
