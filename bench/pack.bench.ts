/**
 * Benchmark: pack:providers on a synthetic tree of 200 providers x 40 files, against a shell
 * loop of GNU `tar -cf` + `sha256sum` per provider, in one run.
 *
 *   npx tsx bench/pack.bench.ts [providers=200] [files=40]
 *
 * "ours" calls the library in-process (packAll, exactly what the pack:providers task calls),
 * so Node/tsx start-up is not counted; the gulp task as a subprocess (start-up included) is
 * reported too. Nickel export is off ([nickel] export = "off"): the shell loop exports nothing
 * either, and nickel cannot be installed on the benchmark machine. Each timed step follows a
 * `sync`, so it does not pay for the previous step's write-back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config/load.ts';
import { packSettings, planner } from '../lib/pack/from-config.ts';
import { packAll, providerTarget } from '../lib/pack/index.ts';
import { discoverProviders } from '../lib/tree/providers.ts';
import { GNU_LOOP, makeTree } from './synthetic-tree.ts';

const PROVIDERS = Number(process.argv[2] ?? 200);
const FILES = Number(process.argv[3] ?? 40);
const PROJECT = fileURLToPath(new URL('../', import.meta.url));

function time<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const out = fn();
  return [out, Number(process.hrtime.bigint() - start) / 1e6];
}

/** Wall time, and the CPU time (user + system, all threads) this process spent meanwhile. */
async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const out = await fn();
  const used = process.cpuUsage(cpu);
  return [out, Number(process.hrtime.bigint() - start) / 1e6, (used.user + used.system) / 1000];
}

async function packEverything(root: string) {
  const config = await loadConfig({ root });
  const plans = planner(config);
  const providers = await discoverProviders(config);
  return packAll({ ...packSettings(config), targets: providers.map((p) => ({ name: p.module, resolve: () => providerTarget(p) })), plan: (t) => plans.planFor(t) });
}

const loadavg = async () => (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ') || 'unknown';
const loadBefore = await loadavg();
const root = await mkdtemp(path.join(tmpdir(), 'pack-bench-'));
try {
  await makeTree(root, PROVIDERS, FILES);
  const gnuOut = path.join(root, 'gnu-out');
  await mkdir(gnuOut);
  // Each timed step starts with nothing dirty in the page cache (`sync`), so none pays for the
  // write-back of the step before it (the tree, the GNU tars): neither side fsyncs its files.
  const settle = () => execFileSync('sync');
  settle();
  const [, gnuMs] = time(() => execFileSync('bash', ['-c', GNU_LOOP, 'bench', root, gnuOut]));

  settle();
  const [cold, coldMs, coldCpu] = await timeAsync(() => packEverything(root));
  settle();
  const [warm, warmMs, warmCpu] = await timeAsync(() => packEverything(root));
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const statuses = (r: typeof cold) => [...new Set(r.results.map((x) => x.status))].join(',') + (r.problems.length ? ` (${r.problems.length} failed)` : '');

  // The gulp task as a user runs it (start-up included), cold on a fresh output, then warm.
  const gulpBin = path.join(PROJECT, 'node_modules/gulp-cli/bin/gulp.js');
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const runTask = (out: string) => {
    settle();
    const args = ['pack:providers', '--base', root, '--output', out, '--silent'];
    const [r, ms] = time(() =>
      spawnSync(timeBin ?? 'node', timeBin ? ['-v', 'node', gulpBin, ...args] : [gulpBin, ...args], { cwd: PROJECT, encoding: 'utf8', env: { ...process.env, CI: '1' } })
    );
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '')?.[1];
    if (r.status !== 0) throw new Error(`gulp pack:providers failed:\n${r.stderr}`);
    return { ms, rssMb: rss ? Number(rss) / 1024 : undefined };
  };
  const taskCold = runTask(path.join(root, 'task-out'));
  const taskWarm = runTask(path.join(root, 'task-out'));
  const nodeStart = time(() => spawnSync('node', [gulpBin, '--version'], { cwd: PROJECT }))[1];

  const cpu = (await readFile('/proc/cpuinfo', 'utf8').catch(() => '')).match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  const lines = [
    `machine: ${cpus().length} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpu}, node ${process.version}`,
    `load average (1/5/15 min): ${loadBefore} before, ${await loadavg()} after`,
    `tree: ${PROVIDERS} providers x ${FILES} files, nickel export off`,
    `GNU loop (tar -cf + sha256sum, bash):       ${fmt(gnuMs)}`,
    `ours cold (packAll in-process):              ${fmt(coldMs)}  = ${(coldMs / gnuMs).toFixed(3)}x GNU   [${statuses(cold)}], CPU ${fmt(coldCpu)}`,
    `ours warm (packAll in-process):              ${fmt(warmMs)}  = ${(warmMs / coldMs).toFixed(3)}x cold  [${statuses(warm)}], CPU ${fmt(warmCpu)}`,
    `peak RSS (this process, after both runs):    ${rssMb.toFixed(0)} MB`,
    `gulp task cold (subprocess, incl. start-up): ${fmt(taskCold.ms)}  = ${(taskCold.ms / gnuMs).toFixed(3)}x GNU${
      taskCold.rssMb ? `, peak RSS ${taskCold.rssMb.toFixed(0)} MB` : ''
    }`,
    `gulp task warm (subprocess, incl. start-up): ${fmt(taskWarm.ms)}  = ${(taskWarm.ms / taskCold.ms).toFixed(3)}x task cold${
      taskWarm.rssMb ? `, peak RSS ${taskWarm.rssMb.toFixed(0)} MB` : ''
    }`,
    `gulp-cli start-up alone (gulp --version):    ${fmt(nodeStart)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await rm(root, { recursive: true, force: true });
}
