/**
 * pack:publish: the registry layout (packages/, registry/, index.json), relative package_file,
 * signatures copied, earlier publishes kept, and a published version immutable.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { publishPacks } from '../../lib/registry/publish.ts';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { addConfig, codeOf, keysFor, pack, prodTree } from '../helpers/prod-tree.ts';

const test = suite('pack:publish');

test('copies packs, signatures and metadata into the documented layout, with index.json (gulp subprocess)', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  await addConfig(t.root, config);
  const aws = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  await pack(t.root, 'local');
  const registry = path.join(await testdir(), 'reg');
  const r = await gulp(['pack:publish', '--registry', registry, '--base', t.root, '--format', 'json', '--silent']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(path.join(registry, 'packages/aws_prov_0.2.0.tar')));
  assert.ok(existsSync(path.join(registry, 'packages/aws_prov_0.2.0.tar.minisig')));
  assert.ok(existsSync(path.join(registry, 'packages/local_prov_0.1.0.tar')));
  assert.not.ok(existsSync(path.join(registry, 'packages/local_prov_0.1.0.tar.minisig')));
  assert.equal(await readFile(path.join(registry, 'packages/aws_prov_0.2.0.tar')), await readFile(aws.file));
  const meta = JSON.parse(await readFile(path.join(registry, 'registry/aws_prov.json'), 'utf8'));
  assert.is(meta.package_file, 'packages/aws_prov_0.2.0.tar');
  assert.is(meta.versions['0.2.0'].package_file, 'packages/aws_prov_0.2.0.tar');
  assert.is(meta.integrity, aws.integrity);
  const index = JSON.parse(await readFile(path.join(registry, 'index.json'), 'utf8'));
  assert.equal(Object.keys(index.modules), ['aws_prov', 'local_prov']);
  assert.equal(index.modules.aws_prov.versions['0.2.0'], {
    package_file: 'packages/aws_prov_0.2.0.tar',
    integrity: aws.integrity,
    size: aws.size,
    created: meta.created,
    signature: 'packages/aws_prov_0.2.0.tar.minisig',
  });
  assert.is(Object.values(index.modules.local_prov.versions as Record<string, { signature: unknown }>)[0]!.signature, null);
  // No temp files or lock left behind.
  assert.equal(Object.keys(await snapshot(registry)).filter((f) => /\.tmp$|lock/.test(f)), []);
});

test('publishing again is a no-op; a version cleaned locally stays in the registry and its index', async () => {
  const t = await prodTree();
  await pack(t.root, 'aws', { ver: '0.1.0' });
  await pack(t.root, 'aws');
  const registry = await testdir();
  const config = await t.config();
  await publishPacks({ config, registry });
  const before = await snapshot(registry);
  const again = await publishPacks({ config, registry });
  assert.ok(again.packs.every((p) => p.status === 'unchanged'));
  assert.equal(await snapshot(registry), before);
  // Drop 0.1.0 locally: the registry keeps it.
  const { cleanPacks } = await import('../../lib/pack/clean.ts');
  await cleanPacks({ packDir: config.distribution.packPath, registryDir: config.distribution.registryPath, cacheDir: config.distribution.cachePath, keepLatest: 1 });
  await pack(t.root, 'aws', { ver: '0.3.0' });
  const third = await publishPacks({ config, registry });
  assert.equal(Object.keys(third.index!.modules.aws_prov!.versions), ['0.3.0', '0.2.0', '0.1.0']);
  assert.is(third.index!.modules.aws_prov!.latest, '0.3.0');
});

test('the same version with other bytes is PACK_EXISTS and the registry is not touched', async () => {
  const t = await prodTree();
  await pack(t.root, 'aws');
  const registry = await testdir();
  const config = await t.config();
  await publishPacks({ config, registry });
  const before = await snapshot(registry);
  await writeFile(path.join(t.root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '{ changed = true }\n');
  await pack(t.root, 'aws', { force: true });
  assert.is(await codeOf(publishPacks({ config, registry })), 'PACK_EXISTS');
  assert.equal(await snapshot(registry), before);
});

test('a local pack that no longer matches its metadata is refused (INTEGRITY_MISMATCH), nothing published', async () => {
  const t = await prodTree();
  const aws = await pack(t.root, 'aws');
  await writeFile(aws.file, Buffer.concat([await readFile(aws.file), Buffer.alloc(512)]));
  const registry = path.join(await testdir(), 'reg');
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry })), 'INTEGRITY_MISMATCH');
  assert.not.ok(existsSync(path.join(registry, 'index.json')));
  assert.not.ok(existsSync(path.join(registry, 'packages/aws_prov_0.2.0.tar')));
});

test("pack:publish never writes outside the registry: metadata whose name is not its file's stem is REGISTRY_ERROR, nothing written", async () => {
  const cases: [label: string, name: unknown][] = [
    ['a path out of the registry', '../../../config/settings'],
    ['another module', 'local_prov'],
    ['not a module name', 'AWS_prov'],
    ['absolute', '/tmp/x'],
    ['not a string', 42],
  ];
  for (const [label, name] of cases) {
    const t = await prodTree();
    await pack(t.root, 'aws');
    const metaFile = path.join(t.root, 'distribution/registry/aws_prov.json');
    const meta = JSON.parse(await readFile(metaFile, 'utf8'));
    meta.name = name;
    await writeFile(metaFile, JSON.stringify(meta));
    await writeFile(path.join(t.root, 'config/settings.json'), '{"user":"precious"}\n');
    const registry = path.join(t.root, 'srv/registry');
    const before = await snapshot(t.root);
    const error = await publishPacks({ config: await t.config(), registry }).then(() => undefined, (e: { code?: string; file?: string }) => e);
    assert.is(error?.code, 'REGISTRY_ERROR', label);
    assert.is(error?.file, metaFile, `${label}: the error names the metadata file`);
    assert.equal(await snapshot(t.root), before, `${label}: nothing written`);
  }
});

test('pack:publish refuses a package_file that is not <module>_<version>.tar before writing anything', async () => {
  const t = await prodTree();
  await pack(t.root, 'aws');
  const metaFile = path.join(t.root, 'distribution/registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  meta.versions['0.2.0'].package_file = 'distribution/packages/..';
  await writeFile(metaFile, JSON.stringify(meta));
  const registry = path.join(t.root, 'srv/registry');
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry })), 'REGISTRY_ERROR');
  assert.not.ok(existsSync(registry));
});

test('a refused publish into a new registry folder leaves no folder behind (nothing is written, not even empty ones)', async () => {
  const cases: [label: string, registry: (parent: string) => Promise<string>][] = [
    ['a new folder', async (parent) => path.join(parent, 'reg')],
    ['new nested folders', async (parent) => path.join(parent, 'a/b/reg')],
    ['an existing empty folder', async (parent) => {
      await mkdir(path.join(parent, 'reg'));
      return path.join(parent, 'reg');
    }],
  ];
  for (const [label, make] of cases) {
    const t = await prodTree();
    const aws = await pack(t.root, 'aws');
    await writeFile(aws.file, Buffer.concat([await readFile(aws.file), Buffer.alloc(512)]));
    const parent = await testdir();
    const registry = await make(parent);
    const before = await snapshot(parent);
    assert.is(await codeOf(publishPacks({ config: await t.config(), registry })), 'INTEGRITY_MISMATCH', label);
    assert.equal(await snapshot(parent), before, `${label}: the parent is as it was`);
  }
});

test.run();
