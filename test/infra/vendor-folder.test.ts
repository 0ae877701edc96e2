/**
 * The `<infra>/vendor/` folder that providers:vendor created goes again once it is left empty
 * (switching back with providers:install, or providers:remove): a plain rmdir of an empty folder,
 * as the modules folder is handled. A vendor/ folder that was there before vendoring stays.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { pack, prodTree } from '../helpers/prod-tree.ts';

const test = suite('vendor/ folder left empty');

async function packed() {
  const t = await prodTree();
  await pack(t.root, 'aws');
  await pack(t.root, 'local');
  return { t, config: await t.config() };
}

test('vendor then remove gives the infra back byte for byte: no empty vendor/ left', async () => {
  const { t, config } = await packed();
  const before = await snapshot(t.wuji);
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov')));
  const removed = await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.not.ok(existsSync(path.join(t.wuji, 'vendor')));
  assert.ok(removed.changes.some((c) => c.includes('vendor')), removed.changes.join('\n'));
  assert.equal(await snapshot(t.wuji), before);
});

test('install then vendor then install (back to the link) then remove gives the infra back: no empty vendor/ left', async () => {
  const { t, config } = await packed();
  const before = await snapshot(t.wuji);
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.not.ok(existsSync(path.join(t.wuji, 'vendor')), 'switching back removes the emptied vendor/');
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.equal(await snapshot(t.wuji), before);
});

test('vendor/ stays while another vendored copy is in it, and goes with the last one', async () => {
  const { t, config } = await packed();
  const before = await snapshot(t.wuji);
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  await vendorProvider({ config, provider: 'local', infra: 'wuji', range: '*' });
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.ok(existsSync(path.join(t.wuji, 'vendor/local_prov')));
  await removeProvider({ config, provider: 'local', infra: 'wuji' });
  assert.not.ok(existsSync(path.join(t.wuji, 'vendor')));
  assert.equal(await snapshot(t.wuji), before);
});

test("a vendor/ folder that was there before vendoring is never removed (empty, or holding the user's files)", async () => {
  for (const extra of [undefined, 'README.md']) {
    const { t, config } = await packed();
    await mkdir(path.join(t.wuji, 'vendor'));
    if (extra) await writeFile(path.join(t.wuji, 'vendor', extra), 'mine\n');
    const before = await snapshot(t.wuji);
    await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
    await removeProvider({ config, provider: 'aws', infra: 'wuji' });
    assert.ok(existsSync(path.join(t.wuji, 'vendor')), String(extra));
    assert.equal(await snapshot(t.wuji), before, String(extra));
  }
});

test.run();
