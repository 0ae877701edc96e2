import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import gulp from 'gulp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import { packSettings, planner } from '../../lib/pack/from-config.ts';
import { packAll, type PackEvent, providerTarget } from '../../lib/pack/index.ts';
import { nickelExport, reproducibleTar } from '../../lib/plugins/index.ts';
import { discoverProviders } from '../../lib/tree/providers.ts';
import { gulp as runGulp } from '../helpers/run.ts';
import { packOne, packTree, providerFiles, STAND_IN } from '../helpers/pack-tree.ts';

const test = suite('pack:providers');

async function packEvery(root: string) {
  const config = await loadConfig({ root });
  const plans = planner(config);
  const events: PackEvent[] = [];
  const providers = await discoverProviders(config);
  const out = await packAll({
    ...packSettings(config),
    targets: providers.map((p) => ({ name: p.module, resolve: () => providerTarget(p) })),
    plan: (t) => plans.planFor(t),
    concurrency: 3,
    onEvent: (e) => void events.push(e),
  });
  return { ...out, events };
}

const many = () => packTree({ tree: { ...providerFiles('aws'), ...providerFiles('gcp', '0.3.0'), ...providerFiles('hetzner', '2.1.0'), ...providerFiles('local', '0.1.0') } });

test('packs all in parallel, then a warm re-run reports every one up to date', async () => {
  const root = await many();
  const cold = await packEvery(root);
  assert.equal(cold.results.map((r) => [r.name, r.status]), [['aws_prov', 'packed'], ['gcp_prov', 'packed'], ['hetzner_prov', 'packed'], ['local_prov', 'packed']]);
  assert.is(cold.events.filter((e) => e.type === 'start').length, 4);
  const warm = await packEvery(root);
  assert.ok(warm.results.every((r) => r.status === 'up-to-date'));
  assert.equal(warm.problems, []);
});

test('touching files (new mtimes, same bytes) is still up to date; changing one repacks only it', async () => {
  const root = await many();
  await packEvery(root);
  await utimes(path.join(root, 'extensions/providers/gcp/nickel/defaults_gcp.ncl'), 5, 5);
  let again = await packEvery(root);
  assert.ok(again.results.every((r) => r.status === 'up-to-date'));
  const again2 = await packOne(root, 'gcp', { ver: '0.3.1' });
  assert.is(again2.status, 'packed');
  again = await packEvery(root);
  assert.ok(again.results.every((r) => r.status === 'up-to-date'));
});

// What a warm run must still see, though it reads no source, tar or metadata when their stats match.
const statusOf = async (root: string, name: string) => {
  const out = await packEvery(root);
  return out.results.find((r) => r.name === name)?.status ?? out.problems.find((p) => p.name === name)?.code;
};
const awsFile = (root: string, rel: string) => path.join(root, 'extensions/providers/aws/nickel', rel);
const awsTar = (root: string) => path.join(root, 'distribution/packages/aws_prov_1.0.0.tar');
const awsMeta = (root: string) => path.join(root, 'distribution/registry/aws_prov.json');

/** A whole-second mtime, so that putting it back later restores it exactly (mtimeMs included). */
const OLD = 1_700_000_000;

/**
 * Waits into the next second of the clock. Deno's node:fs gives ctime in whole seconds, so an
 * edit whose mtime is put back is told from the original by ctime only once the second turned.
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1020 - (Date.now() % 1000)));

/** Rewrites a file in place with other bytes of the same size, then (keepMtime) puts the mtime OLD back. */
async function editInPlace(file: string, keepMtime: boolean): Promise<void> {
  const before = await stat(file);
  const text = await readFile(file, 'latin1');
  if (keepMtime) await nextSecond();
  await writeFile(file, text.replace('z1', 'z9'), 'latin1');
  assert.is((await stat(file)).size, before.size);
  if (keepMtime) {
    await utimes(file, OLD, OLD);
    assert.is((await stat(file)).mtimeMs, before.mtimeMs, 'the mtime is exactly the old one');
  }
}

for (const keepMtime of [false, true]) {
  test(`an in-place edit with the same size is seen (${keepMtime ? 'old mtime put back: ctime' : 'new mtime'})`, async () => {
    const root = await many();
    await utimes(awsFile(root, 'defaults_aws.ncl'), OLD, OLD);
    await packEvery(root);
    await editInPlace(awsFile(root, 'defaults_aws.ncl'), keepMtime);
    assert.is(await statusOf(root, 'aws_prov'), 'PACK_EXISTS');
    assert.is(await statusOf(root, 'gcp_prov'), 'up-to-date');
  });
}

const treeChanges: [string, (root: string) => Promise<void>][] = [
  ['a file added', (root) => writeFile(awsFile(root, 'extra.ncl'), '{ more = 1 }\n')],
  ['a file added in a new folder', async (root) => {
    await import('node:fs/promises').then((fs) => fs.mkdir(awsFile(root, 'sub')));
    await writeFile(awsFile(root, 'sub/extra.ncl'), '{ more = 1 }\n');
  }],
  ['a file removed', (root) => rm(awsFile(root, 'notes_aws.ncl'))],
  ['a file renamed', (root) => rename(awsFile(root, 'notes_aws.ncl'), awsFile(root, 'notes2_aws.ncl'))],
];
for (const [what, change] of treeChanges) {
  test(`${what} since the last run is seen (a packed version is immutable: PACK_EXISTS)`, async () => {
    const root = await many();
    await writeFile(awsFile(root, 'notes_aws.ncl'), '{ note = "imported by nothing" }\n');
    await packEvery(root);
    await change(root);
    assert.is(await statusOf(root, 'aws_prov'), 'PACK_EXISTS');
  });
}

test('a changed version packs anew; changed [package] exports is seen (the manifest is packed)', async () => {
  const root = await many();
  await packEvery(root);
  const manifest = awsFile(root, 'manifest.toml');
  await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('version = "1.0.0"', 'version = "1.0.1"'));
  assert.is(await statusOf(root, 'aws_prov'), 'packed');
  assert.is(await statusOf(root, 'aws_prov'), 'up-to-date');
  await writeFile(manifest, `${await readFile(manifest, 'utf8')}exports = ["defaults_aws.ncl"]\n`);
  assert.is(await statusOf(root, 'aws_prov'), 'PACK_EXISTS');
});

test('a tar deleted since the last run is rebuilt', async () => {
  const root = await many();
  const first = (await packEvery(root)).results.find((r) => r.name === 'aws_prov')!;
  await rm(awsTar(root));
  assert.is(await statusOf(root, 'aws_prov'), 'packed');
  assert.is((await packEvery(root)).results.find((r) => r.name === 'aws_prov')!.integrity, first.integrity);
});

test('a tar changed in place (same size, old mtime put back) is PACK_EXISTS, not up to date', async () => {
  const root = await many();
  await packEvery(root);
  const tar = awsTar(root);
  await utimes(tar, OLD, OLD);
  assert.is(await statusOf(root, 'aws_prov'), 'up-to-date'); // the record now holds that mtime
  const bytes = await readFile(tar);
  bytes[bytes.indexOf('z1')] = 'y'.charCodeAt(0);
  await nextSecond();
  await writeFile(tar, bytes);
  await utimes(tar, OLD, OLD);
  assert.is((await stat(tar)).mtimeMs, OLD * 1000);
  assert.is(await statusOf(root, 'aws_prov'), 'PACK_EXISTS');
});

for (const how of ['edited (old mtime put back)', 'deleted'] as const) {
  test(`metadata ${how} since the last run is seen and written again`, async () => {
    const root = await many();
    await packEvery(root);
    const file = awsMeta(root);
    const good = JSON.parse(await readFile(file, 'utf8'));
    if (how === 'deleted') await rm(file);
    else {
      await utimes(file, OLD, OLD);
      assert.is(await statusOf(root, 'aws_prov'), 'up-to-date'); // the record now holds that mtime
      const before = await stat(file);
      const meta = structuredClone(good);
      meta.versions['1.0.0'].integrity = `sha256-${'A'.repeat(43)}=`;
      meta.integrity = meta.versions['1.0.0'].integrity;
      await nextSecond();
      await writeFile(file, JSON.stringify(meta, null, 2).slice(0, before.size).padEnd(before.size, ' '));
      await utimes(file, OLD, OLD);
      assert.is((await stat(file)).size, before.size);
    }
    assert.is(await statusOf(root, 'aws_prov'), 'up-to-date');
    assert.is(JSON.parse(await readFile(file, 'utf8')).versions['1.0.0'].integrity, good.versions['1.0.0'].integrity);
  });
}

test('a warm run with nothing changed writes nothing (not even the cache index)', async () => {
  const root = await many();
  await packEvery(root);
  await packEvery(root); // records refreshed once, if at all
  const dist = path.join(root, 'distribution');
  const stamp = async () => {
    const out: string[] = [];
    for (const dir of ['packages', 'registry', 'cache']) {
      for (const name of (await readdir(path.join(dist, dir))).sort()) {
        if (name === 'locks') continue;
        const st = await stat(path.join(dist, dir, name));
        out.push(`${dir}/${name} ${st.ino} ${st.size} ${st.mtimeMs} ${st.ctimeMs}`);
      }
    }
    return out;
  };
  const before = await stamp();
  assert.ok((await packEvery(root)).results.every((r) => r.status === 'up-to-date'));
  assert.equal(await stamp(), before);
});

test('one failing provider is reported with its code; the others are packed', async () => {
  const root = await packTree({ tree: { ...providerFiles('aws'), ...providerFiles('bad', ''), ...providerFiles('gcp') } });
  const out = await packEvery(root);
  assert.equal(out.results.map((r) => r.name), ['aws_prov', 'gcp_prov']);
  assert.equal(out.problems.map((p) => [p.name, p.code]), [['bad_prov', 'VERSION_MISSING']]);
});

test('a custom chained gulp pipeline (as in the README) gives the same bytes as pack:provider', async () => {
  const root = await packTree();
  const packed = await packOne(root, 'aws');

  // --- the README's example (nickelBin is the stand-in here) ---
  const nickelBin = STAND_IN;
  const dir = path.join(root, 'extensions/providers/aws/nickel');
  await new Promise((resolve, reject) => {
    gulp.src('**/*', { cwd: dir, encoding: false, dot: true })
      .pipe(nickelExport({ bin: nickelBin }))
      .pipe(reproducibleTar({ module: 'aws_prov', version: '1.0.0' }))
      .pipe(gulp.dest('dist', { cwd: root }))
      .on('finish', resolve)
      .on('error', reject);
  });
  // ---
  const custom = await readFile(path.join(root, 'dist', 'aws_prov_1.0.0.tar'));
  assert.ok(custom.equals(await readFile(packed.file)), 'custom pipeline tar differs from pack:provider');
});

test('the reproducibleTar plugin alone (export off) gives the same bytes as pack:provider, junk and nested files included', async () => {
  const root = await packTree({
    exportMode: 'off',
    tree: {
      ...providerFiles('aws'),
      'extensions/providers/aws/nickel/schemas/deep/x.ncl': '{ x = 1 }\n',
      'extensions/providers/aws/nickel/.DS_Store': 'junk',
      'extensions/providers/aws/nickel/server_aws.ncl~': 'backup',
      'extensions/providers/aws/nickel/.git/HEAD': 'ref: main\n',
    },
  });
  const packed = await packOne(root, 'aws');
  const dir = path.join(root, 'extensions/providers/aws/nickel');
  await new Promise((resolve, reject) => {
    gulp.src('**/*', { cwd: dir, encoding: false, dot: true })
      .pipe(reproducibleTar({ module: 'aws_prov', version: '1.0.0' }))
      .pipe(gulp.dest('dist', { cwd: root }))
      .on('finish', resolve)
      .on('error', reject);
  });
  const custom = await readFile(path.join(root, 'dist', 'aws_prov_1.0.0.tar'));
  assert.ok(custom.equals(await readFile(packed.file)), 'plugin tar differs from pack:provider');
});

test('a plugin error is emitted as a PluginError with the coded cause, not thrown', async () => {
  const root = await packTree({ tree: { ...providerFiles('aws'), 'extensions/providers/aws/nickel/x.ncl': '{ = }' } });
  const dir = path.join(root, 'extensions/providers/aws/nickel');
  const error = await new Promise<Error & { plugin?: string; code?: string }>((resolve) => {
    gulp.src('*.ncl', { cwd: dir, encoding: false }).pipe(nickelExport({ bin: STAND_IN })).on('error', resolve).on('finish', () => resolve(new Error('no error')));
  });
  assert.is(error.plugin, 'nickel-export');
  assert.is(error.code, 'EXPORT_FAILED');
});

test('npx gulp pack:providers --base <tmp>: packs, then up to date; pack:list --format json --silent is pure JSON', async () => {
  const root = await many();
  const first = await runGulp(['pack:providers', '--base', root]);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /aws_prov\s+1\.0\.0\s+packed/);
  assert.match(first.stderr, '[4/4]');
  const second = await runGulp(['pack:providers', '--base', root]);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /hetzner_prov\s+2\.1\.0\s+up to date/);
  const list = await runGulp(['pack:list', '--base', root, '--format', 'json', '--silent']);
  assert.is(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { module: string }[];
  assert.equal(rows.map((r) => r.module), ['aws_prov', 'gcp_prov', 'hetzner_prov', 'local_prov']);
});

test('npx gulp pack:provider: a bad --ver or a failed export exits non-zero with its code and writes no pack', async () => {
  const root = await packTree({ tree: { ...providerFiles('aws'), ...providerFiles('gcp'), 'extensions/providers/gcp/nickel/x.ncl': '{ a = import "gone.ncl" }\n' } });
  const ver = await runGulp(['pack:provider', '--provider', 'aws', '--ver', '1.x', '--base', root]);
  assert.is.not(ver.code, 0);
  assert.match(ver.stderr, 'INVALID_OPTION');
  const failed = await runGulp(['pack:provider', '--provider', 'gcp', '--base', root]);
  assert.is.not(failed.code, 0);
  assert.match(failed.stderr, 'EXPORT_FAILED');
  assert.match(failed.stderr, 'import of gone.ncl failed'); // nickel's own stderr
  assert.equal(await readdir(path.join(root, 'distribution/packages')).catch(() => []), []);
});

test.run();
