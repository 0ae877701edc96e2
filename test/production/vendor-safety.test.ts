/**
 * Vendored copies under failure and hostile layouts: a delete that fails part-way never leaves
 * records describing something else than the folder, and a symlinked vendor or modules folder
 * never leads a rename or delete outside the infra.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, symlink } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { vendorProvider } from '../../lib/vendor/vendor.ts';
import { codeOf } from '../helpers/codes.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { pack, prodTree } from './helpers/tree.ts';
import { undeletable } from './helpers/undeletable.ts';

async function vendoredTree() {
  const t = await prodTree();
  const config = await t.config();
  await pack(t.root, 'aws', { ver: '0.1.0' });
  await pack(t.root, 'aws');
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.1.0' });
  return { t, config };
}

/** Where the undeletable file is now: in the moved-aside copy when there is one, else where it was. */
async function movedTo(wuji: string, prefix: string): Promise<string> {
  const aside = (await readdir(path.join(wuji, 'vendor'))).find((n) => n.startsWith(prefix));
  return path.join(wuji, 'vendor', aside ?? 'aws_prov', 'defaults_aws.ncl');
}

const failing = suite('a delete that fails part-way');

failing('a failed delete of the old copy after a vendor upgrade never leaves records naming the new version over a half-deleted folder', async () => {
  const { t, config } = await vendoredTree();
  const undo = await undeletable(path.join(t.wuji, 'vendor/aws_prov/defaults_aws.ncl'));
  if (!undo) return console.warn('  (skipped: cannot make a file undeletable here)');
  let result;
  try {
    result = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0' });
  } finally {
    await undo(await movedTo(t.wuji, '.aws_prov.previous-'));
  }
  assert.is(result.record.version, '0.2.0');
  assert.ok(result.warnings.some((w) => w.includes('.aws_prov.previous-')), 'the leftover old copy is named in a warning');
  assert.match(await readFile(t.yaml, 'utf8'), 'version: 0.2.0');
  assert.match(await readFile(t.toml, 'utf8'), 'version = "0.2.0"');
  assert.is(JSON.parse(await readFile(path.join(t.wuji, 'vendor/aws_prov/PACK.json'), 'utf8')).version, '0.2.0');
  assert.equal((await validateInfras({ config, infra: 'wuji', production: true })).errors, []);
  assert.ok((await readdir(path.join(t.wuji, 'vendor'))).some((n) => n.startsWith('.aws_prov.previous-')), 'the old copy is left aside, not half-restored');
});

failing('a delete that fails part-way during providers:remove never leaves a half-deleted copy with its records restored', async () => {
  const { t, config } = await vendoredTree();
  const undo = await undeletable(path.join(t.wuji, 'vendor/aws_prov/defaults_aws.ncl'));
  if (!undo) return console.warn('  (skipped: cannot make a file undeletable here)');
  let result;
  try {
    result = await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  } finally {
    await undo(await movedTo(t.wuji, '.aws_prov.removed-'));
  }
  assert.ok(result.warnings.some((w) => w.includes('.aws_prov.removed-')), 'the leftover is named in a warning');
  assert.not.match(await readFile(t.yaml, 'utf8'), 'aws');
  assert.not.match(await readFile(t.toml, 'utf8'), 'aws_prov');
  assert.not.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov')), 'no half-deleted copy where the records could point');
  assert.equal((await validateInfras({ config, infra: 'wuji' })).errors, []);
});

failing('a record that cannot be written in the middle of vendoring puts the old copy and the records back, with a coded error', async () => {
  const { t, config } = await vendoredTree();
  const before = await snapshot(t.root);
  // The yaml cannot be replaced: manifest.toml is already written (and undone) when this fails.
  const undo = await undeletable(t.yaml);
  if (!undo) return console.warn('  (skipped: cannot make a file undeletable here)');
  let error: unknown;
  try {
    error = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0' }).then(() => undefined, (e: unknown) => e);
  } finally {
    await undo();
  }
  assert.instance(error, ProvisioningError, 'a raw fs error becomes a coded ProvisioningError');
  assert.equal(await snapshot(t.root), before);
});

failing.run();

const links = suite('symlinked infra folders');

links('a symlinked vendor folder never leads a delete outside the infra', async () => {
  const { t, config } = await vendoredTree();
  const shared = await testdir({ 'aws_prov/alice-notes.txt': 'not made by the toolkit' });
  await rename(path.join(t.wuji, 'vendor'), path.join(shared, 'moved'));
  await symlink(shared, path.join(t.wuji, 'vendor'));
  const before = { root: await snapshot(t.root), shared: await snapshot(shared) };
  for (const attempt of [
    () => removeProvider({ config, provider: 'aws', infra: 'wuji', force: true }),
    () => installProvider({ config, provider: 'aws', infra: 'wuji', force: true }),
    () => vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0', force: true }),
  ]) {
    assert.is(await codeOf(attempt()), 'LINK_CONFLICT');
    assert.equal(await snapshot(t.root), before.root);
    assert.equal(await snapshot(shared), before.shared);
  }
});

links('a symlinked modules folder never leads a link or an unlink outside the infra', async () => {
  const t = await prodTree();
  const config = await t.config();
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  const shared = await testdir();
  await rename(path.join(t.wuji, '.nickel-modules'), path.join(shared, 'modules'));
  await symlink(path.join(shared, 'modules'), path.join(t.wuji, '.nickel-modules'));
  const before = { root: await snapshot(t.root), shared: await snapshot(shared) };
  assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'wuji', force: true })), 'LINK_CONFLICT');
  assert.is(await codeOf(installProvider({ config, provider: 'upcloud', infra: 'wuji', force: true })), 'LINK_CONFLICT');
  assert.equal(await snapshot(t.root), before.root);
  assert.equal(await snapshot(shared), before.shared);
});

links.run();
