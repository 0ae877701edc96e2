import { lstat, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { syncInfras } from '../../lib/infra/sync.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { example } from '../helpers/example.ts';

const test = suite('providers:sync');

const RECORDS = `# committed to git; links are not
providers:
  upcloud:
    module: upcloud_prov
    mode: link
    version: 0.0.1
    source: extensions/providers/upcloud/nickel
    language: nickel
  local:
    module: local_prov
    mode: link
    version: 0.0.9
    source: extensions/providers/local/kcl
    language: kcl
`;

test('rebuilds links and manifest.toml entries from the yaml of a fresh clone', async () => {
  const { config, wuji, toml, yaml } = await example({ 'workspace/infra/wuji/providers.manifest.yaml': RECORDS });
  const [report] = await syncInfras({ config });
  assert.equal(report!.problems, []);
  assert.is(await readlink(path.join(wuji, '.nickel-modules/upcloud_prov')), '../../../../extensions/providers/upcloud/nickel');
  assert.is(await readlink(path.join(wuji, '.kcl-modules/local_prov')), '../../../../extensions/providers/local/kcl');
  const text = await readFile(toml, 'utf8');
  assert.match(text, 'upcloud_prov = { path = "./.nickel-modules/upcloud_prov" }');
  assert.match(text, 'local_prov = { path = "./.kcl-modules/local_prov" }');
  assert.match(text, '# Core schemas, always from the source tree.');
  assert.is(await readFile(yaml, 'utf8'), RECORDS, 'the yaml is the source, not rewritten');
  assert.equal((await validateInfras({ config })).errors, []);
});

test('a second sync changes nothing', async () => {
  const { root, config } = await example({ 'workspace/infra/wuji/providers.manifest.yaml': RECORDS });
  await syncInfras({ config, infra: 'wuji' });
  const before = await snapshot(root);
  const [report] = await syncInfras({ config, infra: 'wuji' });
  assert.equal(report!.changes, []);
  assert.equal(await snapshot(root), before);
});

test('after install, deleting the links and syncing gives the same tree back', async () => {
  const { root, config, wuji } = await example();
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  const installed = await snapshot(root);
  await rm(path.join(wuji, '.nickel-modules'), { recursive: true });
  await syncInfras({ config });
  assert.equal(await snapshot(root), installed);
  assert.ok((await lstat(path.join(wuji, '.nickel-modules/aws_prov'))).isSymbolicLink());
});

test('a record of an unknown provider is reported and that infra is left as it was', async () => {
  const { root, config } = await example({
    'workspace/infra/wuji/providers.manifest.yaml': RECORDS.replace(/upcloud/g, 'upclod'),
  });
  const before = await snapshot(root);
  const [report] = await syncInfras({ config });
  assert.equal(report!.problems.map((p) => p.code), ['PROVIDER_NOT_FOUND']);
  assert.equal(await snapshot(root), before);
});

test('a hand-edited manifest.toml entry is DRIFT unless force', async () => {
  const { config, toml } = await example({ 'workspace/infra/wuji/providers.manifest.yaml': RECORDS });
  await writeFile(toml, (await readFile(toml, 'utf8')) + 'upcloud_prov = { path = "../mine" }\n');
  const [report] = await syncInfras({ config });
  assert.equal(report!.problems.map((p) => p.code), ['DRIFT']);
  const [forced] = await syncInfras({ config, force: true });
  assert.equal(forced!.problems, []);
  assert.match(await readFile(toml, 'utf8'), 'upcloud_prov = { path = "./.nickel-modules/upcloud_prov" }');
});

test.run();
