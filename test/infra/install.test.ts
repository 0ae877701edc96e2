import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readlink, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { example, rejectsWith } from '../helpers/example.ts';

const test = suite('providers:install / remove');

test('install then remove restores the whole tree, manifest.toml byte for byte', async () => {
  const { root, config, toml } = await example();
  const before = await snapshot(root);
  const original = await readFile(toml, 'utf8');
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  const installed = await readFile(toml, 'utf8');
  assert.ok(installed.startsWith(original.trimEnd()), 'the original bytes are kept, comments and alignment included');
  assert.match(installed, 'upcloud_prov = { path = "./.nickel-modules/upcloud_prov" }');
  await removeProvider({ config, provider: 'upcloud', infra: 'wuji' });
  assert.is(await readFile(toml, 'utf8'), original);
  assert.equal(await snapshot(root), before);
});

test('a [dependencies] table install had to create goes again on remove', async () => {
  const bare = '# infra without dependencies\n[package]\nname    = "wuji"   # aligned\n';
  const { root, config, toml } = await example({ 'workspace/infra/wuji/manifest.toml': bare });
  const before = await snapshot(root);
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  await installProvider({ config, provider: 'local', infra: 'wuji' });
  assert.match(await readFile(toml, 'utf8'), '[dependencies]');
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.match(await readFile(toml, 'utf8'), 'local_prov');
  await removeProvider({ config, provider: 'local', infra: 'wuji' });
  assert.is(await readFile(toml, 'utf8'), bare);
  assert.equal(await snapshot(root), before);
});

test('the link is relative and resolves to the provider folder', async () => {
  const { root, config, wuji } = await example();
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  const link = path.join(wuji, '.nickel-modules/upcloud_prov');
  assert.ok((await lstat(link)).isSymbolicLink());
  assert.is(await readlink(link), '../../../../extensions/providers/upcloud/nickel');
  assert.is(await realpath(link), await realpath(path.join(root, 'extensions/providers/upcloud/nickel')));
  assert.ok(existsSync(path.join(link, 'server_upcloud.ncl')));
});

test('yaml comments survive install and remove', async () => {
  const { config, yaml } = await example();
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  const text = await readFile(yaml, 'utf8');
  assert.match(text, '# Providers used by wuji. Kept in git');
  assert.match(text, /aws:\n\s+module: aws_prov\n\s+mode: link\n\s+version: 0\.2\.0\n\s+source: extensions\/providers\/aws\/nickel\n\s+language: nickel/);
});

test('a second install changes nothing, not even mtimes', async () => {
  const { root, config, toml, yaml } = await example();
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  const before = await snapshot(root);
  const mtimes = [(await stat(toml)).mtimeMs, (await stat(yaml)).mtimeMs];
  const again = await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  assert.equal(again.changes, []);
  assert.equal(await snapshot(root), before);
  assert.equal([(await stat(toml)).mtimeMs, (await stat(yaml)).mtimeMs], mtimes);
});

test('--ver: a satisfied range installs', async () => {
  const { config } = await example();
  const result = await installProvider({ config, provider: 'aws', infra: 'wuji', range: '^0.2' });
  assert.is(result.record.version, '0.2.0');
});

test('--lang kcl links the kcl folder into .kcl-modules', async () => {
  const { config, wuji, toml, yaml } = await example();
  await installProvider({ config, provider: 'local', infra: 'wuji', lang: 'kcl' });
  assert.is(await readlink(path.join(wuji, '.kcl-modules/local_prov')), '../../../../extensions/providers/local/kcl');
  assert.match(await readFile(toml, 'utf8'), 'local_prov = { path = "./.kcl-modules/local_prov" }');
  assert.match(await readFile(yaml, 'utf8'), 'language: kcl');
  assert.match(await readFile(yaml, 'utf8'), 'version: 0.0.9');
});

test('a link pointing elsewhere is LINK_CONFLICT, replaced only with force', async () => {
  const { config, wuji } = await example({ 'workspace/infra/wuji/.nickel-modules/aws_prov': { symlink: '../../../../extensions/providers/local/nickel' } });
  const before = await snapshot(config.root);
  assert.is(await rejectsWith(installProvider({ config, provider: 'aws', infra: 'wuji' })), 'LINK_CONFLICT');
  assert.equal(await snapshot(config.root), before);
  await installProvider({ config, provider: 'aws', infra: 'wuji', force: true });
  assert.is(await readlink(path.join(wuji, '.nickel-modules/aws_prov')), '../../../../extensions/providers/aws/nickel');
});

test('a real folder where the link goes is refused even with force', async () => {
  const { config } = await example({ 'workspace/infra/wuji/.nickel-modules/aws_prov/mine.ncl': '{}' });
  const before = await snapshot(config.root);
  assert.is(await rejectsWith(installProvider({ config, provider: 'aws', infra: 'wuji', force: true })), 'LINK_CONFLICT');
  assert.equal(await snapshot(config.root), before);
});

test('a hand-written manifest.toml entry for the module is DRIFT unless force', async () => {
  const { config, toml } = await example();
  await writeFile(toml, (await readFile(toml, 'utf8')) + 'aws_prov = { path = "../my/aws" }\n');
  const before = await snapshot(config.root);
  assert.is(await rejectsWith(installProvider({ config, provider: 'aws', infra: 'wuji' })), 'DRIFT');
  assert.equal(await snapshot(config.root), before);
  await installProvider({ config, provider: 'aws', infra: 'wuji', force: true });
  assert.match(await readFile(toml, 'utf8'), 'aws_prov = { path = "./.nickel-modules/aws_prov" }');
});

test('install on a vendored provider switches the infra back to the link', async () => {
  const { config, wuji, toml, yaml } = await example({
    'workspace/infra/wuji/vendor/aws_prov/server_aws.ncl': '{}',
    // The copy's own PACK.json: install deletes a vendored copy only when it still matches it.
    'workspace/infra/wuji/vendor/aws_prov/PACK.json':
      '{"name":"aws_prov","version":"0.2.0","files":{"server_aws.ncl":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}}',
    'workspace/infra/wuji/providers.manifest.yaml':
      'providers:\n  aws:\n    module: aws_prov\n    mode: vendor\n    version: 0.2.0\n    source: distribution/packages/aws_prov_0.2.0.tar\n    language: nickel\n    integrity: sha256-abc\n',
  });
  await writeFile(toml, (await readFile(toml, 'utf8')) + 'aws_prov = { path = "./vendor/aws_prov", version = "0.2.0" }\n');
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.match(await readFile(toml, 'utf8'), 'aws_prov = { path = "./.nickel-modules/aws_prov" }');
  const records = await readFile(yaml, 'utf8');
  assert.match(records, 'mode: link');
  assert.not.match(records, 'integrity');
  assert.not.ok(existsSync(path.join(wuji, 'vendor/aws_prov')));
  assert.ok((await lstat(path.join(wuji, '.nickel-modules/aws_prov'))).isSymbolicLink());
});

test('a failure after the first write puts every file back', async () => {
  const { config, wuji } = await example();
  // A file where the modules folder should be: the manifests are written, then mkdir fails.
  await mkdir(wuji, { recursive: true });
  await writeFile(path.join(wuji, '.nickel-modules'), 'not a folder');
  const before = await snapshot(config.root);
  try {
    await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
    assert.unreachable('mkdir over a file must fail');
  } catch (error) {
    assert.ok((error as NodeJS.ErrnoException).code, 'a file-system error');
  }
  assert.equal(await snapshot(config.root), before);
});

test.run();
