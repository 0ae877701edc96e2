/**
 * What pack:publish checks before it writes anything, for every kind of registry (found by a new
 * user's run, issue 9): a signature that does not verify is never published as signed, a missing
 * one under require_signatures is refused, re-signing the same tar changes no byte of the registry,
 * a pack written with --output never breaks the tree's own packs, and a --registry with a scheme
 * this tool does not speak is never taken for a folder.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { publishPacks } from '../../lib/registry/publish.ts';
import { verifyPacks } from '../../lib/registry/verify.ts';
import { signFile } from '../../lib/sign/sign-file.ts';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { addConfig, codeOf, keysFor, pack, prodTree } from '../helpers/prod-tree.ts';

const signatures = suite('pack:publish: signatures are checked before anything is published');

signatures("another tar's .minisig under this tar's name is SIGNATURE_INVALID, and nothing is written", async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  await addConfig(t.root, config);
  const old = await pack(t.root, 'aws', { ver: '0.1.0', secretKeyFile: keys.secretKeyFile });
  const now = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  await copyFile(`${old.file}.minisig`, `${now.file}.minisig`);
  const registry = path.join(await testdir(), 'reg');
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry })), 'SIGNATURE_INVALID');
  assert.not.ok(existsSync(registry), 'not even the folder');
});

signatures('an edited trusted comment is SIGNATURE_INVALID', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  await addConfig(t.root, config);
  const aws = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const sig = await readFile(`${aws.file}.minisig`, 'utf8');
  await writeFile(`${aws.file}.minisig`, sig.replace(/^trusted comment: (.*)$/m, 'trusted comment: $1 edited'));
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry: path.join(await testdir(), 'reg') })), 'SIGNATURE_INVALID');
});

signatures('an unsigned pack under require_signatures is SIGNATURE_MISSING', async () => {
  const t = await prodTree();
  const { config } = await keysFor(t.root, true);
  await addConfig(t.root, config.replace(/secret_key = .*\n/, ''));
  await pack(t.root, 'aws');
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry: path.join(await testdir(), 'reg') })), 'SIGNATURE_MISSING');
});

signatures('re-publishing the same tar after its .minisig was made again changes no byte of the registry', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  await addConfig(t.root, config);
  const aws = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const registry = path.join(await testdir(), 'reg');
  await publishPacks({ config: await t.config(), registry });
  const before = await snapshot(registry);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a new timestamp in the trusted comment
  await signFile({ file: aws.file, secretKeyFile: keys.secretKeyFile });
  const again = await publishPacks({ config: await t.config(), registry });
  assert.ok(again.packs.every((p) => p.status === 'unchanged'), JSON.stringify(again.packs));
  assert.equal(await snapshot(registry), before);
});

signatures.run();

const output = suite('pack:provider --output: a pack outside pack_path');

output("is recorded beside itself, not in the tree's metadata: verify, publish and vendor of the tree's own packs still work", async () => {
  const t = await prodTree();
  await pack(t.root, 'aws');
  const out = await testdir();
  const r = await gulp(['pack:provider', '--provider', 'aws', '--ver', '9.9.9', '--output', out, '--base', t.root, '--silent']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(path.join(out, 'aws_prov_9.9.9.tar')));
  const meta = JSON.parse(await readFile(path.join(t.root, 'distribution/registry/aws_prov.json'), 'utf8'));
  assert.equal(Object.keys(meta.versions), ['0.2.0'], "the tree's metadata does not name it");
  assert.ok(existsSync(path.join(out, 'aws_prov.json')), 'its metadata is beside it');
  const config = await t.config();
  assert.equal((await verifyPacks({ config })).errors, []);
  await publishPacks({ config, registry: path.join(await testdir(), 'reg') });
});

output.run();

const schemes = suite('--registry: a scheme this tool does not speak is never a folder');

for (const registry of ['s3://bucket/packs', 'oci:/no-host', 'oci://host-only', 'ftp://example.com/x']) {
  schemes(`pack:publish --registry ${registry} is INVALID_OPTION and creates nothing in the folder it runs from`, async () => {
    const t = await prodTree();
    await pack(t.root, 'aws');
    const shell = await testdir();
    const before = await snapshot(shell);
    const r = await gulp(['pack:publish', '--registry', registry, '--base', t.root], { env: { INIT_CWD: shell } });
    assert.is.not(r.code, 0);
    assert.match(r.stderr, 'INVALID_OPTION');
    assert.equal(await snapshot(shell), before);
    const v = await gulp(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '*', '--registry', registry, '--base', t.root], { env: { INIT_CWD: shell } });
    assert.match(v.stderr, 'INVALID_OPTION');
  });
}

schemes.run();

const review = suite('publishing and listing: what a review found');

review('a signature made by the configured secret key but not by one of public_keys is SIGNATURE_INVALID (consumers would refuse it)', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  const other = await (await import('../../lib/sign/keys.ts')).writeKeyPair({ dir: await testdir() });
  await addConfig(t.root, config.replace(/public_keys = .*\n/, `public_keys = ["${other.publicKeyFile}"]\n`));
  await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry: path.join(await testdir(), 'reg') })), 'SIGNATURE_INVALID');
});

review('a signed pack with no key to check it with is CONFIG_INVALID (nothing is invalid, it cannot be checked)', async () => {
  const t = await prodTree();
  const { keys } = await keysFor(t.root);
  const aws = await pack(t.root, 'aws');
  await signFile({ file: aws.file, secretKeyFile: keys.secretKeyFile });
  assert.is(await codeOf(publishPacks({ config: await t.config(), registry: path.join(await testdir(), 'reg') })), 'CONFIG_INVALID');
});

review("with [distribution] registry set, --registry local still vendors from the tree's own packs", async () => {
  const t = await prodTree('\n[distribution]\nregistry = "oci://127.0.0.1:9/nowhere/providers"\n');
  await pack(t.root, 'aws');
  const { vendorProvider } = await import('../../lib/infra/vendor.ts');
  const result = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '*', registry: 'local' });
  assert.match(result.record.source, 'distribution/packages/aws_prov_0.2.0.tar');
});

review('pack:list --provider filters the local packs, and lists a registry only when --registry is given', async () => {
  const t = await prodTree('\n[distribution]\nregistry = "oci://127.0.0.1:9/nowhere/providers"\n');
  await pack(t.root, 'aws');
  await pack(t.root, 'local');
  const r = await gulp(['pack:list', '--provider', 'aws', '--format', 'json', '--silent', '--base', t.root]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).map((row: { module: string }) => row.module), ['aws_prov']);
});

review.run();
