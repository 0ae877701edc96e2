/**
 * The test entry, the same under Node (via tsx) and Deno: loads every `test/**\/*.test.ts`
 * (or those whose path contains an argument), runs uvu's queued suites, and ends with the
 * plain `N passed, N failed` line CI reads.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanupTestdirs } from './helpers/testdir.ts';

type Runner = () => Promise<[string | true, number, number, number]>;
const g = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: (string | Runner)[][]; UVU_INDEX: number };

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);

async function findTests(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'helpers' && entry.name !== 'fixtures') out.push(...(await findTests(abs)));
    else if (entry.name.endsWith('.test.ts')) out.push(abs);
  }
  return out.sort();
}

g.UVU_DEFER = 1;
g.UVU_QUEUE = [];
const files = (await findTests(here)).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
for (const [index, file] of files.entries()) {
  g.UVU_QUEUE.push([path.relative(here, file)]);
  g.UVU_INDEX = index;
  await import(pathToFileURL(file).href);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const started = Date.now();
for (const group of g.UVU_QUEUE) {
  process.stdout.write(`\n${String(group.shift())}\n`);
  for (const runner of group as Runner[]) {
    const [errors, ran, skip, total] = await runner();
    passed += ran;
    skipped += skip;
    failed += total - ran;
    if (errors !== true) process.stdout.write(`\n${errors}\n`);
  }
}
await cleanupTestdirs();
process.stdout.write(`\n${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
