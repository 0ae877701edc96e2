import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanPacks, listPacks, parsePackFile } from '../../lib/pack/index.ts';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { packOne, packTree } from '../helpers/pack-tree.ts';

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
    'aws_prov_1.0.tar',
    'aws_prov_1.10.0.tar',
    'aws_prov_1.2.0.tar.bak',
    'aws_prov_1.2.0.tgz',
    'aws_prov_2.0.0-rc.1.tar',
    'aws_prov_latest.tar',
    'notes.txt',
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

test('pack:clean never deletes a file the metadata does not list', async () => {
  const { packs, registry, cache } = await packedRoot();
  // A user's files that only look like packs (the reviewer's db-backup), and a module-shaped
  // tar the metadata never recorded.
  const user = [
    'db-backup_2024.1.1.tar',
    'db-backup_2024.2.1.tar',
    'db-backup_2024.3.1.tar',
    'db-backup_2024.4.1.tar',
    'holiday_1.0.0.tar',
    'holiday_1.0.0.tar.minisig',
    'aws_prov_0.0.1.tar',
    'aws_prov_0.0.2.tar.minisig',
  ];
  for (const name of user) await writeFile(path.join(packs, name), 'USER DATA');
  const report = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 0 });
  const left = await readdir(packs);
  for (const name of user) assert.ok(left.includes(name), `${name} was deleted`);
  for (const r of report.filter((e) => e.name !== 'aws_prov' || ['0.0.1', '0.0.2'].includes(e.version))) assert.is(r.action, 'not-ours', `${r.name} ${r.version}`);
  // every pack the metadata does list is gone, with its signature
  assert.equal(left.filter((f) => /^aws_prov_\d+\.\d+\.\d+(-rc\.1)?\.tar(\.minisig)?$/.test(f)).sort(), ['aws_prov_0.0.1.tar', 'aws_prov_0.0.2.tar.minisig']);
});

test('pack:clean never deletes a listed tar whose bytes or size differ from the metadata', async () => {
  const { packs, registry, cache } = await packedRoot();
  const sameSize = path.join(packs, 'aws_prov_1.2.0.tar');
  const bytes = await readFile(sameSize);
  bytes[bytes.length - 1]! ^= 1; // same size, other bytes
  await writeFile(sameSize, bytes);
  await writeFile(path.join(packs, 'aws_prov_0.9.9.tar'), 'rewritten by hand');
  for (const dryRun of [true, false]) {
    const report = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 0, dryRun });
    const action = (v: string) => report.find((r) => r.version === v)!.action;
    assert.is(action('1.2.0'), 'differs', `dryRun ${dryRun}`);
    assert.is(action('0.9.9'), 'differs', `dryRun ${dryRun}`);
    assert.is(action('1.9.0'), 'delete', `dryRun ${dryRun}`);
  }
  const left = await readdir(packs);
  for (const name of ['aws_prov_1.2.0.tar', 'aws_prov_1.2.0.tar.minisig', 'aws_prov_0.9.9.tar']) assert.ok(left.includes(name), name);
  assert.not.ok(left.includes('aws_prov_1.9.0.tar.minisig'));
  const meta = JSON.parse(await readFile(path.join(registry, 'aws_prov.json'), 'utf8'));
  assert.equal(Object.keys(meta.versions), ['1.2.0', '0.9.9'], 'kept files stay in the metadata');
});

test('pack:clean never deletes a listed name when the metadata names another file', async () => {
  const { packs, registry, cache } = await packedRoot();
  const metaFile = path.join(registry, 'aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  meta.versions['0.9.9'].package_file = '/elsewhere/other_0.9.9.tar';
  await writeFile(metaFile, JSON.stringify(meta));
  const report = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 0 });
  assert.is(report.find((r) => r.version === '0.9.9')!.action, 'not-ours');
  assert.ok((await readdir(packs)).includes('aws_prov_0.9.9.tar'));
});

test('pack:clean --dry-run shows the same keep/delete/not-ours decisions as a real run', async () => {
  const { packs, registry, cache } = await packedRoot();
  await writeFile(path.join(packs, 'db-backup_2024.1.1.tar'), 'USER DATA');
  await writeFile(path.join(packs, 'aws_prov_1.2.0.tar'), 'changed');
  const plan = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 1, dryRun: true });
  const done = await cleanPacks({ packDir: packs, registryDir: registry, cacheDir: cache, keepLatest: 1 });
  assert.equal(done, plan);
  assert.equal(plan.map((r) => `${r.name} ${r.version} ${r.action}`), [
    'aws_prov 2.0.0-rc.1 keep',
    'aws_prov 1.10.0 delete',
    'aws_prov 1.9.0 delete',
    'aws_prov 1.2.0 differs',
    'aws_prov 0.9.9 delete',
    'db-backup 2024.1.1 not-ours',
  ]);
});

test('pack:clean --output on a folder of user files deletes none of them and says "kept (not ours)"', async () => {
  const root = await packTree();
  await packOne(root, 'aws');
  const downloads = path.join(root, 'Downloads');
  const user = ['db-backup_2024.1.1.tar', 'db-backup_2024.2.1.tar', 'db-backup_2024.3.1.tar', 'db-backup_2024.4.1.tar', 'holiday_1.0.0.tar'];
  await mkdir(downloads);
  for (const name of user) await writeFile(path.join(downloads, name), 'USER DATA');
  for (const dry of [['--dry-run'], []]) {
    const r = await gulp(['pack:clean', '--base', root, '--output', downloads, '--keep-latest', '0', '--silent', ...dry]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, 'db-backup');
    assert.match(r.stdout, 'kept (not ours)');
    assert.not.match(r.stdout, 'delete');
  }
  assert.equal((await readdir(downloads)).sort(), user);
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
