import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Problem } from '../../lib/errors.ts';
import { installProvider } from '../../lib/infra/install.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { example } from '../helpers/example.ts';

const test = suite('providers:validate');
const codes = (problems: Problem[]) => problems.map((p) => p.code).sort();

async function installAll(config: Parameters<typeof installProvider>[0]['config']) {
  for (const provider of ['upcloud', 'aws', 'local']) await installProvider({ config, provider, infra: 'wuji' });
}

test('a clean install validates with no errors', async () => {
  const { config } = await example();
  await installAll(config);
  const result = await validateInfras({ config });
  assert.equal(result.errors, []);
  assert.equal(result.infras.map((r) => [r.infra, r.providers]), [['wuji', 3]]);
});

test('reports every problem at once, each with its code and place', async () => {
  const { root, config, wuji, toml } = await example({
    'extensions/providers/upcloud/nickel/broken.ncl': '# uses a file that is not there\nlet x = import "missing.ncl" in\n{ y = import "./defaults_upcloud.ncl" }\n',
    'workspace/infra/other/manifest.toml': '[package]\nname = "other"\nversion = \n',
    'workspace/infra/other/providers.manifest.yaml': 'providers: {}\n',
  });
  await installAll(config);
  const modules = path.join(wuji, '.nickel-modules');
  await rm(path.join(modules, 'aws_prov'));
  await symlink('../../../../extensions/providers/gone/nickel', path.join(modules, 'aws_prov')); // dangling
  await rm(path.join(modules, 'local_prov'));
  await symlink('../../../../nickel', path.join(modules, 'local_prov')); // outside the provider tree
  await writeFile(toml, (await readFile(toml, 'utf8')).replace('path = "./.nickel-modules/upcloud_prov"', 'path = "./elsewhere"'));
  const before = await snapshot(root);

  const result = await validateInfras({ config });
  assert.equal(codes(result.errors), ['IMPORT_UNRESOLVED', 'LINK_DANGLING', 'LINK_OUTSIDE_TREE', 'MANIFEST_PARSE', 'RECORD_MISMATCH']);
  const byCode = Object.fromEntries(result.errors.map((p) => [p.code, p]));
  assert.equal([byCode.IMPORT_UNRESOLVED!.file, byCode.IMPORT_UNRESOLVED!.line, byCode.IMPORT_UNRESOLVED!.column], ['extensions/providers/upcloud/nickel/broken.ncl', 2, 9]);
  assert.equal([byCode.MANIFEST_PARSE!.file, byCode.MANIFEST_PARSE!.line], ['workspace/infra/other/manifest.toml', 3]);
  assert.equal([byCode.RECORD_MISMATCH!.file, byCode.RECORD_MISMATCH!.line], ['workspace/infra/wuji/manifest.toml', 9]);
  assert.is(byCode.LINK_DANGLING!.file, 'workspace/infra/wuji/.nickel-modules/aws_prov');
  assert.equal(await snapshot(root), before, 'validate never writes');
});

test('a missing link is LINK_MISSING; a malformed yaml is MANIFEST_PARSE with line', async () => {
  const { config, wuji } = await example({ 'workspace/infra/broken/providers.manifest.yaml': 'providers:\n  aws: [\n' });
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  await rm(path.join(wuji, '.nickel-modules'), { recursive: true });
  const result = await validateInfras({ config });
  assert.equal(codes(result.errors), ['LINK_MISSING', 'MANIFEST_PARSE']);
  assert.ok(result.errors.find((p) => p.code === 'MANIFEST_PARSE')?.line);
});

test('links and entries nobody recorded are RECORD_MISMATCH', async () => {
  const { config, toml } = await example({ 'workspace/infra/wuji/.nickel-modules/aws_prov': { symlink: '../../../../extensions/providers/aws/nickel' } });
  await writeFile(toml, (await readFile(toml, 'utf8')) + 'local_prov = { path = "./.nickel-modules/local_prov" }\n');
  const result = await validateInfras({ config, infra: 'wuji' });
  assert.equal(codes(result.errors), ['RECORD_MISMATCH', 'RECORD_MISMATCH']);
});

test('a vendored entry with its copy present is not an error', async () => {
  const { config, toml } = await example({
    'workspace/infra/wuji/vendor/aws_prov/server_aws.ncl': '{ x = import "defaults.ncl" }\n',
    'workspace/infra/wuji/vendor/aws_prov/defaults.ncl': '{}\n',
    // PACK.json as the pack wrote it: --production checks the copy against it (VENDOR_DRIFT).
    'workspace/infra/wuji/vendor/aws_prov/PACK.json':
      '{"name":"aws_prov","version":"0.2.0","files":{"defaults.ncl":"ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356","server_aws.ncl":"a81bbc4bf67bc7e54a8afcd1cee532f0a0aaa77149dddd91754dc04a94477cef"}}',
    'workspace/infra/wuji/providers.manifest.yaml':
      'providers:\n  aws:\n    module: aws_prov\n    mode: vendor\n    version: 0.2.0\n    source: distribution/packages/aws_prov_0.2.0.tar\n    language: nickel\n    integrity: sha256-abc\n',
  });
  await writeFile(toml, (await readFile(toml, 'utf8')) + 'aws_prov = { path = "./vendor/aws_prov", version = "0.2.0" }\n');
  assert.equal((await validateInfras({ config })).errors, []);
  assert.equal(codes((await validateInfras({ config, production: true })).errors), []);
});

test('--production fails link mode and unpinned versions', async () => {
  const { config } = await example({ 'extensions/providers/upcloud/nickel/manifest.toml': '[package]\nname = "upcloud_prov"\n' });
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  const plain = await validateInfras({ config });
  assert.equal(plain.errors, []);
  assert.equal(codes(plain.warnings), ['VERSION_UNPINNED'], 'a provider without a version is a warning');
  const production = await validateInfras({ config, production: true });
  assert.equal(codes(production.errors), ['PRODUCTION_LINK_MODE', 'PRODUCTION_LINK_MODE', 'VERSION_UNPINNED']);
});

test('an unknown --infra is INFRA_NOT_FOUND', async () => {
  const { config } = await example();
  try {
    await validateInfras({ config, infra: 'nope' });
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, 'INFRA_NOT_FOUND');
  }
});

test.run();
