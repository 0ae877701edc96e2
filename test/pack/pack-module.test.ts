import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tar from 'tar';
import { loadConfig } from '../../lib/config/load.ts';
import { packSettings, planner } from '../../lib/pack/from-config.ts';
import { coreTarget, packModule } from '../../lib/pack/index.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { codeOf, packOne, packTree, providerFiles } from '../helpers/pack-tree.ts';

const test = suite('pack:provider');

test('metadata has the seed fields, SRI integrity of the file, size and versions', async () => {
  const root = await packTree();
  const r = await packOne(root, 'aws', { now: () => new Date(Date.UTC(2025, 8, 29, 20, 47, 21)) });
  assert.is(r.status, 'packed');
  const meta = JSON.parse(await readFile(path.join(root, 'distribution/registry/aws_prov.json'), 'utf8'));
  const bytes = await readFile(path.join(root, 'distribution/packages/aws_prov_1.0.0.tar'));
  const sri = `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
  assert.equal(meta, {
    name: 'aws_prov',
    version: '1.0.0',
    package_file: r.file,
    created: '2025-09-29 20:47:21',
    maintainer: 'JesusPerezLorenzo',
    repository: 'https://repo.jesusperez.pro/provisioning',
    license: 'MIT',
    homepage: 'https://github.com/jesusperezlorenzo/provisioning',
    integrity: sri,
    size: bytes.length,
    exported: true,
    versions: { '1.0.0': { package_file: r.file, integrity: sri, size: bytes.length, created: '2025-09-29 20:47:21', exported: true } },
  });
});

test('a second version joins versions; top-level fields follow the highest semver', async () => {
  const root = await packTree();
  await packOne(root, 'aws', { ver: '1.10.0' });
  await packOne(root, 'aws', { ver: '1.9.0' });
  const meta = JSON.parse(await readFile(path.join(root, 'distribution/registry/aws_prov.json'), 'utf8'));
  assert.is(meta.version, '1.10.0');
  assert.equal(Object.keys(meta.versions), ['1.10.0', '1.9.0']);
  assert.ok(meta.package_file.endsWith('aws_prov_1.10.0.tar'));
});

test('same content again is up to date and writes nothing', async () => {
  const root = await packTree();
  await packOne(root, 'aws');
  const before = await snapshot(path.join(root, 'distribution'));
  const again = await packOne(root, 'aws', { force: false });
  assert.is(again.status, 'up-to-date');
  assert.equal(await snapshot(path.join(root, 'distribution')), before);
});

test('other content under a packed version is PACK_EXISTS and changes nothing; --force replaces it', async () => {
  const root = await packTree();
  const first = await packOne(root, 'aws');
  await writeFile(path.join(root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '{ zone = "z2", plan = "big" }\n');
  const before = await snapshot(path.join(root, 'distribution/packages'));
  assert.is(await codeOf(packOne(root, 'aws')), 'PACK_EXISTS');
  assert.equal(await snapshot(path.join(root, 'distribution/packages')), before);
  const forced = await packOne(root, 'aws', { force: true });
  assert.is(forced.status, 'replaced');
  assert.is.not(forced.integrity, first.integrity);
  const meta = JSON.parse(await readFile(path.join(root, 'distribution/registry/aws_prov.json'), 'utf8'));
  assert.is(meta.versions['1.0.0'].integrity, forced.integrity);
});

test('content restored to the packed bytes is up to date again (the cache is not trusted blindly)', async () => {
  const root = await packTree();
  await packOne(root, 'aws');
  const file = path.join(root, 'extensions/providers/aws/nickel/defaults_aws.ncl');
  const original = await readFile(file);
  await writeFile(file, 'changed');
  await writeFile(file, original);
  assert.is((await packOne(root, 'aws')).status, 'up-to-date');
});

const bad: [string, () => Promise<unknown>, string][] = [
  ['an invalid --ver is INVALID_OPTION', async () => packOne(await packTree(), 'aws', { ver: 'v1' }), 'INVALID_OPTION'],
  ['a range as --ver is INVALID_OPTION', async () => packOne(await packTree(), 'aws', { ver: '^1.0.0' }), 'INVALID_OPTION'],
  ['a provider without a version is VERSION_MISSING', async () => packOne(await packTree({ tree: providerFiles('aws', '') }), 'aws'), 'VERSION_MISSING'],
  ['a non-semver manifest version is MANIFEST_INVALID', async () => packOne(await packTree({ tree: providerFiles('aws', '1.0') }), 'aws'), 'MANIFEST_INVALID'],
  ['an unknown provider is PROVIDER_NOT_FOUND', async () => packOne(await packTree(), 'awz'), 'PROVIDER_NOT_FOUND'],
  ['a hostile name is INVALID_NAME', async () => packOne(await packTree(), '../aws'), 'INVALID_NAME'],
  ['an output path that is a file is OUTPUT_UNWRITABLE', async () => {
    const root = await packTree({ tree: { ...providerFiles('aws'), 'out-file': 'x' } });
    return packOne(root, 'aws', { output: path.join(root, 'out-file', 'sub') });
  }, 'OUTPUT_UNWRITABLE'],
];
for (const [name, run, code] of bad) {
  test(name, async () => assert.is(await codeOf(run()), code));
}

test("a failed export is EXPORT_FAILED with the stand-in's stderr, and writes no artifact", async () => {
  const root = await packTree({ tree: { ...providerFiles('aws'), 'extensions/providers/aws/nickel/network_aws.ncl': '{ a = import "missing.ncl" }\n' } });
  try {
    await packOne(root, 'aws');
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, 'EXPORT_FAILED');
    assert.match((error as Error).message, 'import of missing.ncl failed');
  }
  assert.equal(await readdir(path.join(root, 'distribution/packages')), []);
  assert.equal(await readdir(path.join(root, 'distribution/registry')), []);
});

test('export = "off" packs sources only with exported: false', async () => {
  const root = await packTree({ exportMode: 'off' });
  const r = await packOne(root, 'aws');
  assert.is(r.exported, false);
  const meta = JSON.parse(await readFile(path.join(root, 'distribution/registry/aws_prov.json'), 'utf8'));
  assert.is(meta.exported, false);
});

test('export = "auto" without the binary packs sources only; "required" is NICKEL_NOT_FOUND', async () => {
  const auto = await packTree({ bin: '/nonexistent/nickel' });
  const r = await packOne(auto, 'aws');
  assert.is(r.exported, false);
  const required = await packTree({ bin: '/nonexistent/nickel', exportMode: 'required' });
  assert.is(await codeOf(packOne(required, 'aws')), 'NICKEL_NOT_FOUND');
});

test('[package] exports limits what is exported; a listed file that is missing fails', async () => {
  const root = await packTree({ tree: providerFiles('aws', '1.0.0', 'exports = ["server_aws.ncl"]\n') });
  const r = await packOne(root, 'aws');
  assert.is(r.exported, true);
  const missing = await packTree({ tree: providerFiles('aws', '1.0.0', 'exports = ["nope.ncl"]\n') });
  assert.is(await codeOf(packOne(missing, 'aws')), 'EXPORT_FAILED');
});

// (This asserted the metadata went to the tree's registry_path, which broke the tree's own packs: issue 9.)
test('--output writes the tar elsewhere, and its metadata beside it', async () => {
  const root = await packTree();
  const r = await packOne(root, 'aws', { output: 'out' });
  assert.is(r.file, path.join(root, 'out', 'aws_prov_1.0.0.tar'));
  const meta = JSON.parse(await readFile(path.join(root, 'out/aws_prov.json'), 'utf8'));
  assert.is(meta.package_file, r.file);
});

test('afterPack runs for packed and up-to-date results (the --sign hook)', async () => {
  const root = await packTree();
  const seen: string[] = [];
  const afterPack = async (r: { status: string }) => void seen.push(r.status);
  await packOne(root, 'aws', { afterPack });
  await packOne(root, 'aws', { afterPack });
  assert.equal(seen, ['packed', 'up-to-date']);
});

test('pack:core: provisioning_<version>.tar under provisioning/, metadata provisioning_core.json; version --ver > manifest > core_version', async () => {
  const root = await packTree({ tree: { 'nickel/main.ncl': '{ a = import "schemas/s.ncl" }\n', 'nickel/schemas/s.ncl': '{ S = { name | String } }\n' } });
  const config = await loadConfig({ root });
  const fromConfig = await coreTarget(config);
  assert.is(fromConfig.version, '0.0.1');
  await writeFile(path.join(root, 'nickel/manifest.toml'), '[package]\nname = "provisioning_core"\nversion = "0.4.0"\n');
  const target = await coreTarget(config);
  assert.equal([target.name, target.stem, target.version], ['provisioning_core', 'provisioning', '0.4.0']);
  assert.is((await coreTarget(config, { version: '0.5.0' })).version, '0.5.0');
  // Schemas (contracts without values) do not export: the core exports only what it lists.
  const r = await packModule({ ...packSettings(config), target, plan: planner(config).planFor(target) });
  assert.is(r.file, path.join(root, 'distribution/packages/provisioning_0.4.0.tar'));
  const entries: string[] = [];
  await tar.t({ file: r.file, onReadEntry: (e) => void entries.push(e.path) });
  assert.equal(entries, ['provisioning/', 'provisioning/PACK.json', 'provisioning/main.ncl', 'provisioning/manifest.toml', 'provisioning/schemas/', 'provisioning/schemas/s.ncl']);
  const meta = JSON.parse(await readFile(path.join(root, 'distribution/registry/provisioning_core.json'), 'utf8'));
  assert.is(meta.name, 'provisioning_core');
  assert.ok(meta.package_file.endsWith('provisioning_0.4.0.tar'));
});

test.run();
