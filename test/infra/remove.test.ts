import { existsSync } from 'node:fs';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { example, rejectsWith } from '../helpers/example.ts';

const test = suite('providers:remove drift');

/** Each way an installation can drift from what install made, and how to cause it. */
const DRIFTS: [string, (t: { wuji: string; toml: string; yaml: string }) => Promise<void>][] = [
  ['a link pointing elsewhere', async ({ wuji }) => {
    await rm(path.join(wuji, '.nickel-modules/upcloud_prov'));
    await symlink('../../../../extensions/providers/aws/nickel', path.join(wuji, '.nickel-modules/upcloud_prov'));
  }],
  ['a hand-edited manifest.toml entry', async ({ toml }) => {
    const text = await readFile(toml, 'utf8');
    await writeFile(toml, text.replace('path = "./.nickel-modules/upcloud_prov"', 'path = "../../elsewhere"'));
  }],
  ['a hand-edited yaml record', async ({ yaml }) => {
    const text = await readFile(yaml, 'utf8');
    await writeFile(yaml, text.replace('source: extensions/providers/upcloud/nickel', 'source: somewhere/else'));
  }],
];

for (const [name, drift] of DRIFTS) {
  test(`${name} is DRIFT; nothing changes until --force`, async () => {
    const t = await example();
    await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
    await drift(t);
    const before = await snapshot(t.root);
    assert.is(await rejectsWith(removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' })), 'DRIFT');
    assert.equal(await snapshot(t.root), before);
    await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji', force: true });
    assert.not.match(await readFile(t.toml, 'utf8'), 'upcloud_prov');
    assert.not.match(await readFile(t.yaml, 'utf8'), 'upcloud');
    assert.not.ok(existsSync(path.join(t.wuji, '.nickel-modules/upcloud_prov')));
    assert.ok(existsSync(path.join(t.root, 'extensions/providers/aws/nickel/server_aws.ncl')), 'a link target is never deleted');
  });
}

test('a real folder at the link path is never deleted, even with --force', async () => {
  const t = await example();
  await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  await rm(path.join(t.wuji, '.nickel-modules/upcloud_prov'));
  await writeFile(path.join(t.wuji, '.nickel-modules/upcloud_prov'), 'my own file');
  const before = await snapshot(t.root);
  assert.is(await rejectsWith(removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji', force: true })), 'LINK_CONFLICT');
  assert.equal(await snapshot(t.root), before);
});

test('removing what is not installed is NOT_INSTALLED', async () => {
  const t = await example();
  const before = await snapshot(t.root);
  assert.is(await rejectsWith(removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' })), 'NOT_INSTALLED');
  assert.equal(await snapshot(t.root), before);
});

test('a missing link (e.g. a fresh clone) is not drift', async () => {
  const t = await example();
  await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  await rm(path.join(t.wuji, '.nickel-modules'), { recursive: true });
  await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.not.match(await readFile(t.yaml, 'utf8'), 'upcloud');
});

test('the modules folder stays while other links are in it', async () => {
  const t = await example();
  await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.ok(existsSync(path.join(t.wuji, '.nickel-modules/aws_prov')));
  assert.match(await readFile(t.toml, 'utf8'), 'aws_prov');
});

test.run();

const hostile = suite('providers:remove with a hostile record');
hostile('a vendor record naming module "../../.." deletes nothing outside the infra', async () => {
  const t = await example({
    'workspace/infra/wuji/providers.manifest.yaml':
      'providers:\n  aws:\n    module: ../../../extensions\n    mode: vendor\n    version: 0.2.0\n    source: x.tar\n    language: nickel\n    integrity: sha256-abc\n',
  });
  const before = await snapshot(t.root);
  assert.is(await rejectsWith(removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' })), 'DRIFT');
  assert.equal(await snapshot(t.root), before);
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji', force: true });
  assert.ok(existsSync(path.join(t.root, 'extensions/providers/aws/nickel/manifest.toml')));
});
hostile.run();
