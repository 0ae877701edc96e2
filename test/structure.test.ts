/**
 * The direction of lib/, kept by a test: no folder of lib/ imports (at run time) one that
 * imports it back, no lib file imports gulp, and only lib/plugins/ imports the gulp plugins
 * (they wrap the pack library, never the other way round). Type-only imports are erased and do
 * not count.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from './helpers/testdir.ts';

const LIB = path.join(PROJECT_ROOT, 'lib');
const IMPORT = /(?:^|\n)\s*(import|export)(\s+type)?\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(abs)));
    else if (e.name.endsWith('.ts')) out.push(abs);
  }
  return out;
}

/** `lib/pack/x.ts` → `pack`; `lib/errors.ts` → `(root)`. */
function folderOf(file: string): string {
  const parts = path.relative(LIB, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : '(root)';
}

interface Edge {
  from: string;
  to: string;
  spec: string;
}

async function runtimeImports(): Promise<Edge[]> {
  const edges: Edge[] = [];
  for (const file of await files(LIB)) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const typeOnly = m[2] !== undefined;
      const spec = m[3] ?? m[4] ?? m[5]!;
      if (typeOnly) continue;
      edges.push({ from: file, to: spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec, spec });
    }
  }
  return edges;
}

/** Folder cycles (strongly connected components of more than one folder), each sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      for (let w = stack.pop()!;; w = stack.pop()!) {
        on.delete(w);
        comp.push(w);
        if (w === v) break;
      }
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

const test = suite('structure of lib/');

test('no folder of lib/ imports one that imports it back (run-time imports)', async () => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of await runtimeImports()) {
    if (!path.isAbsolute(to) || !to.startsWith(LIB + path.sep)) continue;
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  assert.equal(cycles(graph), []);
});

test('no lib file imports gulp, and only lib/plugins/ imports the plugins', async () => {
  const wrong = (await runtimeImports())
    .filter(({ from, to, spec }) =>
      spec === 'gulp' || spec.startsWith('gulp/') || (path.isAbsolute(to) && folderOf(to) === 'plugins' && folderOf(from) !== 'plugins' && to.startsWith(LIB))
    )
    .map(({ from, spec }) => `${path.relative(PROJECT_ROOT, from)} imports ${spec}`);
  assert.equal(wrong, []);
});

test.run();
