import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanPacks, listPacks, parsePackFile } from '../../lib/pack/index.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { packOne, packTree } from './helpers/pack-tree.ts';

const test = suite('pack:clean and pack:list');

const VERSIONS = ['1.9.0', '1.10.0', '1.2.0', '0.9.9', '2.0.0-rc.1'];

async function packedRoot(): Promise<{ root: string; packs: string; registry: string; cache: string }> {
  const root = await packTree();
  for (const ver of VERSIONS) await packOne(root, 'aws', { ver });
  const packs = path.join(root, 'distribution/packages');
  for (const ver of ['1.9.0', '1.2.0']) await writeFile(path.join(packs, `aws_prov_${ver}.tar.minisig`), 'sig');
  // Foreign files: not `<module>_<semver>.tar[.minisig]`, never touched.
  for (const name of ['notes.txt', 'aws_prov_latest.tar', 'aws_prov_1.0.tar', 'aws_prov_1.2.0.tar.bak', 'aws_prov_1.2.0.tgz']) {
    await writeFile(path.join(packs, name), 'mine');
  }
  return { root, packs, registry: path.join(root, 'distribution/registry'), cache: path.join(root, 'distribution/cache') };
}

test('pack file names: module (with underscores) and semver', () => {
  assert.equal(parsePackFile('aws_prov_1.10.0.tar'), { stem: 'aws_prov', version: '1.10.0', signature: false });
  assert.equal(parsePackFile('my_x_prov_1.0.0-rc.1.tar.minisig'), { stem: 'my_x_prov', version: '1.0.0-rc.1', signature: true });
  for (const foreign of ['aws_prov_latest.tar', 'aws_prov_1.0.tar', 'x.tar', 'aws_prov_1.0.0.tgz', 'aws_prov_1.0.0.tar.bak']) {
    assert.is(parsePackFile(foreign), undefined, foreign);
  }
});

test('keeps the N highest by semver (1.10.0 above 1.9.0), deletes the rest with signatures, updates metadata', async () => {
  const { packs, registry, cache } = await packedRoot();
  const report = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 2 });
  assert.equal(report.filter((r) => r.action === 'keep').map((r) => r.version), ['2.0.0-rc.1', '1.10.0']);
  assert.equal(report.filter((r) => r.action === 'delete').map((r) => r.version), ['1.9.0', '1.2.0', '0.9.9']);
  assert.equal((await readdir(packs)).sort(), [
    'aws_prov_1.0.tar', 'aws_prov_1.10.0.tar', 'aws_prov_1.2.0.tar.bak', 'aws_prov_1.2.0.tgz', 'aws_prov_2.0.0-rc.1.tar', 'aws_prov_latest.tar', 'notes.txt',
  ]);
  const meta = JSON.parse(await readFile(path.join(registry, 'aws_prov.json'), 'utf8'));
  assert.equal(Object.keys(meta.versions), ['2.0.0-rc.1', '1.10.0']);
  assert.is(meta.version, '2.0.0-rc.1');
});

test('--dry-run reports the same plan and touches nothing', async () => {
  const { root, packs, registry, cache } = await packedRoot();
  const before = await snapshot(path.join(root, 'distribution'));
  const report = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 2, dryRun: true });
  assert.is(report.filter((r) => r.action === 'delete').length, 3);
  assert.equal(await snapshot(path.join(root, 'distribution')), before);
});

test('protect() keeps a version whatever its rank (the vendored-version hook)', async () => {
  const { packs, registry, cache } = await packedRoot();
  const report = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 1, protect: (_n, v) => v === '0.9.9' });
  assert.is(report.find((r) => r.version === '0.9.9')!.action, 'protected');
  assert.ok((await readdir(packs)).includes('aws_prov_0.9.9.tar'));
});

test('pack:list rows: module, version, size, integrity, created, newest first', async () => {
  const { registry } = await packedRoot();
  const rows = await listPacks({ registryDir: registry });
  assert.equal(rows.map((r) => r.version), ['2.0.0-rc.1', '1.10.0', '1.9.0', '1.2.0', '0.9.9']);
  for (const r of rows) {
    assert.is(r.module, 'aws_prov');
    assert.match(r.integrity, /^sha256-[A-Za-z0-9+/]+=*$/);
    assert.match(r.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.ok(r.size > 0);
  }
});

test.run();
