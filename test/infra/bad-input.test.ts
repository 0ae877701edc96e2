import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { type InstallOptions, installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import type { Tree } from '../helpers/testdir.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { example } from '../helpers/example.ts';

type Case = { name: string; options: Partial<InstallOptions>; code: string; tree?: Tree; hint?: RegExp };

const CASES: Case[] = [
  { name: 'provider "../x" (path escape)', options: { provider: '../x' }, code: 'INVALID_NAME' },
  { name: 'provider "a/b" (nested path)', options: { provider: 'a/b' }, code: 'INVALID_NAME' },
  { name: 'empty provider name', options: { provider: '' }, code: 'INVALID_NAME' },
  { name: 'infra "../../etc"', options: { infra: '../../etc' }, code: 'INVALID_NAME' },
  { name: 'empty infra name', options: { infra: '' }, code: 'INVALID_NAME' },
  { name: 'unknown provider, with did you mean', options: { provider: 'upclod' }, code: 'PROVIDER_NOT_FOUND', hint: /did you mean "upcloud"/ },
  { name: 'unknown infra, with did you mean', options: { infra: 'wujii' }, code: 'INFRA_NOT_FOUND', hint: /did you mean "wuji"/ },
  { name: 'provider without the asked language', options: { provider: 'aws', lang: 'kcl' }, code: 'PROVIDER_NOT_FOUND' },
  { name: '--ver the provider does not satisfy', options: { range: '^1.0.0' }, code: 'VERSION_MISMATCH' },
  { name: '--ver that is not a range', options: { range: 'latest-ish' }, code: 'INVALID_OPTION' },
  {
    name: '--ver on a provider without a version',
    options: { range: '*' },
    code: 'VERSION_MISMATCH',
    tree: { 'extensions/providers/upcloud/nickel/manifest.toml': '[package]\nname = "upcloud_prov"\n' },
  },
  { name: 'malformed infra manifest.toml', options: {}, code: 'MANIFEST_PARSE', tree: { 'workspace/infra/wuji/manifest.toml': '[package]\nname = "wuji"\n[dependencies\n' } },
  { name: 'malformed providers.manifest.yaml', options: {}, code: 'MANIFEST_PARSE', tree: { 'workspace/infra/wuji/providers.manifest.yaml': 'providers:\n  aws: [\n' } },
  { name: 'malformed provider manifest', options: {}, code: 'MANIFEST_PARSE', tree: { 'extensions/providers/upcloud/nickel/manifest.toml': '[package\n' } },
];

const test = suite('bad input: coded error, not one byte changed');
for (const c of CASES) {
  test(`install: ${c.name} → ${c.code}`, async () => {
    const { root, config } = await example(c.tree);
    const before = await snapshot(root);
    try {
      await installProvider({ config, provider: 'upcloud', infra: 'wuji', ...c.options });
      assert.unreachable('expected an error');
    } catch (error) {
      assert.instance(error, ProvisioningError);
      assert.is((error as ProvisioningError).code, c.code);
      if (c.hint) assert.match((error as ProvisioningError).hint ?? '', c.hint);
    }
    assert.equal(await snapshot(root), before);
  });
}

test('MANIFEST_PARSE names file, line and column', async () => {
  const { config } = await example({ 'workspace/infra/wuji/providers.manifest.yaml': '# c\nproviders:\n  aws: [\n' });
  try {
    await installProvider({ config, provider: 'aws', infra: 'wuji' });
    assert.unreachable();
  } catch (error) {
    const e = error as ProvisioningError;
    assert.is(e.file, 'workspace/infra/wuji/providers.manifest.yaml');
    assert.ok(e.line && e.line >= 3, `line ${e.line}`);
    assert.ok(e.column);
  }
});

for (const [name, provider] of [['../x', '../x'], ['a/b', 'a/b'], ['empty', '']]) {
  test(`remove: provider ${name} → INVALID_NAME`, async () => {
    const { root, config } = await example();
    const before = await snapshot(root);
    try {
      await removeProvider({ config, provider: provider!, infra: 'wuji' });
      assert.unreachable();
    } catch (error) {
      assert.is((error as ProvisioningError).code, 'INVALID_NAME');
    }
    assert.equal(await snapshot(root), before);
  });
}
test.run();
