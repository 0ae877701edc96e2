import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import { installProvider } from '../../lib/infra/install.ts';
import type { WatchResult } from '../../lib/watch/check.ts';
import { formatResult } from '../../lib/watch/format.ts';
import { watchProviders } from '../../lib/watch/watch-providers.ts';
import { exampleTree, PROJECT_ROOT } from '../helpers/testdir.ts';
import { gulpStreaming, spawnStreaming, type Streaming } from './stream.ts';

const SERVER = 'extensions/providers/upcloud/nickel/server_upcloud.ncl';
const DEFAULTS = 'extensions/providers/upcloud/nickel/defaults_upcloud.ncl';
const STAND_IN = path.join(PROJECT_ROOT, 'test', 'fixtures', 'bin', 'nickel');

/** The example tree with upcloud linked into wuji (and, with `nickel`, the stand-in as [nickel] bin). */
async function watchedTree({ nickel = false } = {}): Promise<string> {
  const root = await exampleTree(nickel ? { 'config/config.toml': `[distribution.metadata]\nmaintainer = "Example Team"\n[nickel]\nbin = "${STAND_IN}"\n` } : {});
  await installProvider({ config: await loadConfig({ root }), provider: 'upcloud', infra: 'wuji' });
  return root;
}

/**
 * The scenario a user lives through: save → ok line; break an import → error line with its code,
 * and the watcher goes on; fix it → ok line; Ctrl-C → exit code 0. Deadlines are failure
 * deadlines (20 s), not timings.
 */
async function scenario(proc: Streaming, root: string, { exportCode }: { exportCode?: string } = {}): Promise<void> {
  try {
    await proc.waitFor(/watching .* Ctrl-C to stop/, { stream: 'stderr' });
    await appendFile(path.join(root, DEFAULTS), '# saved\n');
    let at = await proc.waitFor(/✔ wuji: upcloud ok \(\d+ ms\)\n/);

    const original = await readFile(path.join(root, SERVER), 'utf8');
    await writeFile(path.join(root, SERVER), original.replace('import "network_upcloud.ncl"', 'import "network_upcloud_typo.ncl"'));
    const broken = await proc.waitFor(/✖ wuji: \d+ problems? \(\d+ ms\)\n/, { from: at });
    at = await proc.waitFor(/ {2}IMPORT_UNRESOLVED: .*network_upcloud_typo\.ncl/, { from: broken });
    if (exportCode) await proc.waitFor(new RegExp(` {2}${exportCode}: `), { from: broken });

    await writeFile(path.join(root, SERVER), original);
    at = await proc.waitFor(/✔ wuji: upcloud ok \(\d+ ms\)\n/, { from: at });

    proc.kill('SIGINT');
    assert.is(await proc.exited, 0, proc.stderr());
    assert.match(proc.stderr(), 'stopped watching');
  } finally {
    proc.kill('SIGKILL');
  }
}

const t = suite('watch: task as a subprocess');

t('node (gulp-cli): ok, error with its code, still watching, ok again, Ctrl-C exits 0', async () => {
  const root = await watchedTree();
  await scenario(gulpStreaming('node', ['watch', '--base', root, '--debounce', '50', '--silent']), root);
});

t('deno (tools/gulp-deno.ts): the same', async () => {
  const root = await watchedTree();
  await scenario(gulpStreaming('deno', ['watch', '--base', root, '--debounce', '50', '--silent']), root);
});

t('deno (bin/provisioning.ts watch): the same, re-exporting with nickel (stand-in) and EXPORT_FAILED on the broken import', async () => {
  const root = await watchedTree({ nickel: true });
  const deno = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'deno');
  const proc = spawnStreaming(deno, ['run', '-A', path.join(PROJECT_ROOT, 'bin', 'provisioning.ts'), 'watch', 'wuji', '--base', root, '--debounce', '50']);
  await scenario(proc, root, { exportCode: 'EXPORT_FAILED' });
  assert.match(proc.stderr(), 're-exporting Nickel');
  const exported = JSON.parse(await readFile(path.join(root, 'distribution/cache/watch/upcloud_prov/server_upcloud.json'), 'utf8')) as { provider: string };
  assert.is(exported.provider, 'upcloud');
});

t('an unknown --infra fails before watching, with its code and a hint', async () => {
  const root = await watchedTree();
  const proc = gulpStreaming('node', ['watch', '--base', root, '--infra', 'wujj', '--silent']);
  assert.is(await proc.exited, 1);
  assert.match(proc.stderr(), 'INFRA_NOT_FOUND');
  assert.match(proc.stderr(), 'did you mean "wuji"?');
});
t.run();

const lib = suite('watch: watchProviders');

/** Collects results; `next(n)` waits (20 s failure deadline) until n results have arrived. */
function collector() {
  const results: WatchResult[] = [];
  return {
    results,
    onResult: (r: WatchResult) => void results.push(r),
    async next(n: number) {
      const deadline = Date.now() + 20_000;
      while (results.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${results.length} of ${n} results: ${JSON.stringify(results)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return results[n - 1]!;
    },
  };
}

lib('a burst of saves to one provider is one run; the signal closes it', async () => {
  const root = await watchedTree();
  const config = await loadConfig({ root });
  const c = collector();
  const controller = new AbortController();
  const handle = watchProviders({ config, debounceMs: 150, onResult: c.onResult, signal: controller.signal });
  await handle.ready;
  for (const file of [DEFAULTS, SERVER, 'extensions/providers/upcloud/nickel/network_upcloud.ncl']) await appendFile(path.join(root, file), '# burst\n');
  const first = await c.next(1);
  assert.equal({ infra: first.infra, providers: first.providers, errors: first.errors }, { infra: 'wuji', providers: ['upcloud'], errors: [] });
  // A later save to the same provider is a second run (so the burst above was one).
  await appendFile(path.join(root, DEFAULTS), '# later\n');
  await c.next(2);
  assert.is(c.results.length, 2);
  controller.abort();
  await handle.closed;
});

lib('a provider in no infra is reported on its own; --infra ignores other infras', async () => {
  const root = await watchedTree();
  const config = await loadConfig({ root });
  const all = collector();
  const handle = watchProviders({ config, debounceMs: 20, onResult: all.onResult });
  await handle.ready;
  await appendFile(path.join(root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '# x\n');
  const r = await all.next(1);
  assert.is(r.infra, undefined);
  assert.equal(r.providers, ['aws']);
  await handle.close();

  const only = collector();
  const scoped = watchProviders({ config, infra: 'wuji', debounceMs: 20, onResult: only.onResult });
  await scoped.ready;
  await appendFile(path.join(root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '# y\n');
  await appendFile(path.join(root, 'workspace/infra/wuji/manifest.toml'), '# z\n');
  const m = await only.next(1);
  assert.equal({ infra: m.infra, providers: m.providers }, { infra: 'wuji', providers: [] });
  await scoped.close();
  assert.is(only.results.length, 1);
});

lib('a validator that throws is reported through onError and watching goes on', async () => {
  const root = await watchedTree();
  const config = await loadConfig({ root });
  const c = collector();
  const errors: unknown[] = [];
  let calls = 0;
  const handle = watchProviders({
    config,
    debounceMs: 20,
    validate: async () => {
      if (++calls === 1) throw new Error('boom');
      return { errors: [], warnings: [] };
    },
    onResult: c.onResult,
    onError: (e) => errors.push(e),
  });
  await handle.ready;
  await appendFile(path.join(root, DEFAULTS), '# 1\n');
  const deadline = Date.now() + 20_000;
  while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.is((errors[0] as Error).message, 'boom');
  await appendFile(path.join(root, DEFAULTS), '# 2\n');
  assert.is((await c.next(1)).infra, 'wuji');
  await handle.close();
});

lib('result lines: one head line, then a coded line per problem with its hint', () => {
  const ok = formatResult({ infra: 'wuji', providers: ['upcloud'], errors: [], warnings: [], ms: 12 }, {});
  assert.is(ok, '✔ wuji: upcloud ok (12 ms)');
  const bad = formatResult(
    {
      infra: 'wuji',
      providers: ['upcloud'],
      errors: [{ code: 'IMPORT_UNRESOLVED', message: 'Cannot resolve import "x.ncl"', file: 'a.ncl', line: 2, column: 3, hint: 'check the path' }, {
        code: 'LINK_DANGLING',
        message: 'gone',
      }],
      warnings: [],
      ms: 5,
    },
    {},
  );
  assert.is(bad, ['✖ wuji: 2 problems (5 ms)', '  IMPORT_UNRESOLVED: Cannot resolve import "x.ncl" (a.ncl:2:3)', '    hint: check the path', '  LINK_DANGLING: gone'].join('\n'));
});
lib.run();
