/**
 * Benchmark: `pack:test` on 200 packs, whole processes as a user starts them
 * (`node_modules/.bin/gulp`), paired in the same run with the `pack:providers` (cold) that made
 * those packs, and with a GNU yardstick that does the least a pack test must: `tar -xf` each pack
 * into a fresh folder and `sha256sum` its files.
 *
 *   npx tsx bench/pack-test.bench.ts [--rounds 6] [--providers 200] [--files 40]
 *
 * The tree is bench/synthetic-tree.ts's (nickel export off: nickel cannot be installed here, so
 * the export comparison is skipped and said so; what is measured is selection, integrity,
 * strict extraction with PACK.json, and the import scan of every `.ncl` file).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, loadavg, option, type Pair, pair, setWork, timed } from './measure.ts';
import { makeTree } from './synthetic-tree.ts';

const ROUNDS = Number(option('rounds', '6'));
const PROVIDERS = Number(option('providers', '200'));
const FILES = Number(option('files', '40'));
const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const GULP = path.join(PROJECT, 'node_modules/.bin/gulp');

/** The yardstick: extract each pack with GNU tar into a fresh folder, then hash every file. */
const GNU_EXTRACT =
  `for t in "$1"/distribution/packages/*.tar; do d="$2/$(basename "$t" .tar)"; mkdir -p "$d"; tar -xf "$t" -C "$d"; find "$d" -type f -exec sha256sum {} + >/dev/null; done`;

const work = mkdtempSync(path.join(tmpdir(), 'pack-test-bench-'));
setWork(work);
try {
  const loadBefore = loadavg();
  const big = path.join(work, 'big');
  await makeTree(big, PROVIDERS, FILES);
  const gulp = (label: string, ...rest: string[]): Command => ({ label, argv: [GULP, ...rest, '--base', big, '--silent'], cwd: PROJECT });
  const dist = path.join(big, 'distribution');
  const extracted = path.join(work, 'gnu-extract');
  const fresh = (dir: string) => () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sync');
  };
  timed(gulp('pack (fill)', 'pack:providers'));
  // pack:test leaves the packs as they are; the cold pack rewrites them (same bytes) each round.
  const test = gulp('gulp pack:test', 'pack:test');
  const results: Pair[] = [];
  process.stdout.write(`${'pair (A / B), medians'.padEnd(64)} ${'A wall'.padStart(9)} ${'B wall'.padStart(9)}  A/B wall (min-max)  A/B cpu\n`);
  results.push(pair(
    test,
    {
      ...gulp('gulp pack:providers (cold)', 'pack:providers'),
      before: () => {
        rmSync(path.join(dist, 'packages'), { recursive: true, force: true });
        rmSync(path.join(dist, 'cache'), { recursive: true, force: true });
        execFileSync('sync');
      },
    },
    undefined,
    ROUNDS,
  ));
  results.push(
    pair(test, { label: 'GNU tar -xf + sha256sum loop', argv: ['bash', '-c', GNU_EXTRACT, 'bench', big, extracted], cwd: work, before: fresh(extracted) }, undefined, ROUNDS),
  );
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1]) ?? cpus()[0]?.model ?? 'unknown';
  process.stdout.write(
    [
      '',
      `machine: ${cpus().length} CPUs, ${cpu}, node ${process.version}`,
      `load average (1/5/15 min): ${loadBefore} before, ${loadavg()} after`,
      `rounds: ${ROUNDS}, tree: ${PROVIDERS} providers x ${FILES} files, nickel export off (exports skipped)`,
      existsSync('/usr/bin/time') ? '' : '(no /usr/bin/time: CPU ratios are NaN)',
    ].join('\n') + '\n',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
