import { rm } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { listInstalled } from '../../lib/infra/installed.ts';
import { providerInfo } from '../../lib/providers/info.ts';
import { listProviders } from '../../lib/providers/list.ts';
import { example, rejectsWith } from '../helpers/example.ts';

const test = suite('providers:list / info / installed');

test('list: every provider with module, version, language and root-relative path', async () => {
  const { config } = await example();
  const { providers, problems } = await listProviders({ config });
  assert.equal(problems, []);
  assert.equal(providers.map((p) => [p.name, p.module, p.version, p.language, p.path]), [
    ['aws', 'aws_prov', '0.2.0', 'nickel', 'extensions/providers/aws/nickel'],
    ['local', 'local_prov', '0.1.0', 'nickel', 'extensions/providers/local/nickel'],
    ['upcloud', 'upcloud_prov', '0.0.1', 'nickel', 'extensions/providers/upcloud/nickel'],
  ]);
});

test('list --lang kcl: only providers with a kcl folder', async () => {
  const { config } = await example();
  const { providers } = await listProviders({ config, lang: 'kcl' });
  assert.equal(providers.map((p) => [p.name, p.version, p.path]), [['local', '0.0.9', 'extensions/providers/local/kcl']]);
});

test('list: a provider with a malformed manifest is listed and reported', async () => {
  const { config } = await example({ 'extensions/providers/aws/nickel/manifest.toml': '[package\n' });
  const { providers, problems } = await listProviders({ config });
  assert.is(providers.length, 3);
  assert.equal(problems.map((p) => p.code), ['MANIFEST_PARSE']);
});

test('info: manifest fields, files and the infras it is installed in', async () => {
  const { config } = await example();
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  const info = await providerInfo({ config, provider: 'upcloud' });
  assert.is(info.version, '0.0.1');
  assert.is(info.manifest.description, 'UpCloud servers and networks');
  assert.ok(info.files.includes('nickel/server_upcloud.ncl'));
  assert.ok(info.files.includes('README.md'));
  assert.equal(info.installedIn, [{ infra: 'wuji', mode: 'link', version: '0.0.1' }]);
});

test('info: an unknown provider is PROVIDER_NOT_FOUND', async () => {
  const { config } = await example();
  assert.is(await rejectsWith(providerInfo({ config, provider: 'awz' })), 'PROVIDER_NOT_FOUND');
});

test('installed: rows with mode, version, source and status', async () => {
  const { config, wuji } = await example();
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  await installProvider({ config, provider: 'local', infra: 'wuji', lang: 'kcl' });
  await rm(path.join(wuji, '.kcl-modules/local_prov'));
  const rows = await listInstalled({ config, infra: 'wuji' });
  assert.equal(rows.map((r) => [r.name, r.module, r.mode, r.version, r.source, r.status]), [
    ['upcloud', 'upcloud_prov', 'link', '0.0.1', 'extensions/providers/upcloud/nickel', 'ok'],
    ['local', 'local_prov', 'link', '0.0.9', 'extensions/providers/local/kcl', 'LINK_MISSING'],
  ]);
});

test.run();
