/**
 * A copied or moved provisioning tree uses its OWN packs: the local metadata keeps the absolute
 * `package_file` the seed shows, but pack:verify, pack:publish and providers:vendor (local
 * source) always read `<pack_path>/<basename>` of the tree they work on, never the folder the
 * metadata names (the original tree, deleted or not).
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import { publishPacks } from '../../lib/registry/publish.ts';
import { verifyPacks } from '../../lib/registry/verify.ts';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { gulp } from '../helpers/run.ts';
import { testdir } from '../helpers/testdir.ts';
import { codeOf, pack, prodTree } from '../helpers/prod-tree.ts';

const test = suite('copied tree: local packs');

/** Packs aws in a fresh tree and copies the whole tree elsewhere; returns both roots. */
async function packedCopy(): Promise<{ original: string; copy: string; originalTar: string }> {
  const t = await prodTree();
  const aws = await pack(t.root, 'aws');
  const meta = JSON.parse(await readFile(path.join(t.root, 'distribution/registry/aws_prov.json'), 'utf8'));
  assert.is(meta.versions['0.2.0'].package_file, aws.file, 'package_file is written as the seed shows it (absolute)');
  const copy = path.join(await testdir(), 'copy');
  await cp(t.root, copy, { recursive: true, verbatimSymlinks: true });
  return { original: t.root, copy, originalTar: aws.file };
}

test('a copy whose original is deleted verifies, vendors and publishes its own packs', async () => {
  const { original, copy } = await packedCopy();
  await rm(original, { recursive: true, force: true });
  const config = await loadConfig({ root: copy });
  const verified = await verifyPacks({ config });
  assert.equal(verified.errors, []);
  assert.equal(verified.packs.map((p) => [p.file, p.integrity]), [['distribution/packages/aws_prov_0.2.0.tar', 'ok']]);
  const vendored = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^0.2' });
  assert.is(vendored.record.source, 'distribution/packages/aws_prov_0.2.0.tar');
  const registry = path.join(await testdir(), 'reg');
  const published = await publishPacks({ config, registry });
  assert.equal(published.packs.map((p) => [p.module, p.status]), [['aws_prov', 'published']]);
  assert.equal(await readFile(path.join(registry, 'packages/aws_prov_0.2.0.tar')), await readFile(path.join(copy, 'distribution/packages/aws_prov_0.2.0.tar')));
});

test('with the original present, nothing in it is read: its tar may differ, the copy still verifies, vendors and publishes', async () => {
  const { copy, originalTar } = await packedCopy();
  // The original's pack no longer matches the (shared) metadata: reading it would be INTEGRITY_MISMATCH.
  await writeFile(originalTar, Buffer.concat([await readFile(originalTar), Buffer.alloc(512)]));
  const config = await loadConfig({ root: copy });
  const verified = await verifyPacks({ config });
  assert.equal(verified.errors, []);
  assert.is(verified.packs[0]!.file, 'distribution/packages/aws_prov_0.2.0.tar');
  const vendored = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^0.2' });
  assert.is(vendored.record.source, 'distribution/packages/aws_prov_0.2.0.tar');
  const registry = path.join(await testdir(), 'reg');
  await publishPacks({ config, registry });
  assert.equal(await readFile(path.join(registry, 'packages/aws_prov_0.2.0.tar')), await readFile(path.join(copy, 'distribution/packages/aws_prov_0.2.0.tar')));
});

test("pack:verify in the copy names the copy's file, never the original's (gulp subprocess)", async () => {
  const { copy } = await packedCopy();
  const r = await gulp(['pack:verify', '--base', copy, '--format', 'json', '--silent']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.packs[0].file, 'distribution/packages/aws_prov_0.2.0.tar');
});

test('a local package_file whose name is not <module>_<version>.tar is REGISTRY_ERROR for verify and vendor', async () => {
  const cases: [label: string, packageFile: unknown][] = [
    ["another version's tar", '/elsewhere/aws_prov_0.1.0.tar'],
    ["another module's tar", 'distribution/packages/local_prov_0.2.0.tar'],
    ['a parent folder', 'distribution/packages/..'],
    ['not a string', 42],
  ];
  for (const [label, packageFile] of cases) {
    const t = await prodTree();
    await pack(t.root, 'aws');
    const metaFile = path.join(t.root, 'distribution/registry/aws_prov.json');
    const meta = JSON.parse(await readFile(metaFile, 'utf8'));
    meta.versions['0.2.0'].package_file = packageFile;
    meta.package_file = packageFile;
    await writeFile(metaFile, JSON.stringify(meta));
    const config = await t.config();
    const verified = await verifyPacks({ config });
    assert.equal(verified.errors.map((e) => e.code), ['REGISTRY_ERROR'], label);
    assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^0.2' })), 'REGISTRY_ERROR', label);
  }
});

test.run();
