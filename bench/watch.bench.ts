/**
 * Save-to-result latency of watch mode: how long after a provider file is written the result
 * for the infra using it arrives, beyond the debounce (which is waiting by design).
 *
 *   npx tsx bench/watch.bench.ts [--edits 30] [--debounce 100] [--nickel BIN]
 *   npx deno run -A bench/watch.bench.ts [--edits 30] [--debounce 100] [--nickel BIN]
 *
 * `--nickel BIN` sets `[nickel] bin`, so each run also re-exports (e.g. the test stand-in,
 * test/fixtures/bin/nickel, on machines without the real CLI).
 *
 * It runs lib/watch in-process on a temp copy of the example tree (upcloud installed in wuji),
 * edits upcloud's defaults file `--edits` times, one edit at a time, and times each write to its
 * result. Target: median <= 300 ms beyond the debounce.
 */
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config/load.ts';
import { installProvider } from '../lib/infra/install.ts';
import { exportPlan } from '../lib/pack/export-plan.ts';
import type { WatchResult } from '../lib/watch/check.ts';
import { exportForWatch } from '../lib/watch/export.ts';
import { watchProviders } from '../lib/watch/watch-providers.ts';

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const edits = arg('edits', 30);
const debounceMs = arg('debounce', 100);
const nickelAt = args.indexOf('--nickel');
const nickel = nickelAt === -1 ? undefined : path.resolve(args[nickelAt + 1]!);

const example = fileURLToPath(new URL('../examples/provisioning/', import.meta.url));
const root = await mkdtemp(path.join(tmpdir(), 'provdist-watch-bench-'));
await cp(example, root, { recursive: true });
if (nickel) await appendFile(path.join(root, 'config', 'config.toml'), `\n[nickel]\nbin = ${JSON.stringify(nickel)}\n`);
const config = await loadConfig({ root });
await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
const plan = exportPlan({ bin: config.nickel.bin, mode: config.nickel.export, cwd: root });

let waiting: ((r: WatchResult) => void) | undefined;
const handle = watchProviders({
  config,
  debounceMs,
  exportProvider: plan.bin ? exportForWatch : undefined,
  onResult: (result) => waiting?.(result),
});
await handle.ready;

const file = path.join(root, 'extensions/providers/upcloud/nickel/defaults_upcloud.ncl');
const original = await readFile(file, 'utf8');
const beyond: number[] = [];
for (let i = 0; i < edits; i++) {
  const result = new Promise<WatchResult>((resolve) => (waiting = resolve));
  const started = performance.now();
  await writeFile(file, `${original}# edit ${i}\n`);
  const r = await result;
  beyond.push(performance.now() - started - debounceMs);
  if (r.errors.length > 0) throw new Error(`unexpected problems: ${JSON.stringify(r.errors)}`);
  // Let the watcher settle so one edit is one run.
  await new Promise((r) => setTimeout(r, 50));
}
await handle.close();
await rm(root, { recursive: true, force: true });

const sorted = [...beyond].sort((a, b) => a - b);
const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = pick(0.5);
const runtime = (globalThis as { Deno?: { version: { deno: string } } }).Deno
  ? `deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
  : `node ${process.version}`;
process.stdout.write(
  [
    `watch latency (${runtime}, ${edits} edits, debounce ${debounceMs} ms, nickel export ${plan.bin ? `on (${path.relative(process.cwd(), plan.bin)})` : 'off (no binary)'})`,
    `  beyond the debounce: median ${median.toFixed(1)} ms, p90 ${pick(0.9).toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
    `  save to result: median ${(median + debounceMs).toFixed(1)} ms = ${((median + debounceMs) / debounceMs).toFixed(2)}x the debounce`,
    `  target: median beyond the debounce <= 300 ms: ${median <= 300 ? 'met' : 'MISSED'}`,
  ].join('\n') + '\n',
);
