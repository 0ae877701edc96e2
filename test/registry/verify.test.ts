/**
 * pack:keygen, signing while packing (--sign / a configured key) and pack:verify: a tampered
 * tar, metadata or signature is each rejected with its code, and every problem is reported.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyPacks } from '../../lib/registry/verify.ts';
import { writeKeyPair } from '../../lib/sign/keys.ts';
import { verifyFile } from '../../lib/sign/verify-file.ts';
import { gulp, run } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { addConfig, codeOf, keysFor, pack, prodTree } from '../helpers/prod-tree.ts';

const codes = (problems: { code: string }[]) => problems.map((p) => p.code).sort();

/** minisign, stdin closed (it must never wait for a password); stdout and stderr together. */
const minisign = (args: readonly string[]) => run('minisign', args).then((r) => ({ code: r.code, out: r.stdout + r.stderr }));
const hasMinisign = await minisign(['-v']).then((r) => r.code === 0, () => false);

const keygen = suite('pack:keygen');

keygen('writes the pair to <root>/config/keys, prints the config lines, refuses to overwrite without --force (gulp subprocess)', async () => {
  const { root } = await prodTree();
  const first = await gulp(['pack:keygen', '--base', root, '--silent']);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, 'secret_key = "config/keys/provisioning.key"');
  assert.match(first.stdout, 'public_keys = ["config/keys/provisioning.pub"]');
  const pub = await readFile(path.join(root, 'config/keys/provisioning.pub'), 'utf8');
  const before = await snapshot(path.join(root, 'config/keys'));
  const again = await gulp(['pack:keygen', '--base', root]);
  assert.is.not(again.code, 0);
  assert.match(again.stderr, 'KEY_EXISTS');
  assert.equal(await snapshot(path.join(root, 'config/keys')), before);
  const forced = await gulp(['pack:keygen', '--base', root, '--force', '--silent']);
  assert.is(forced.code, 0, forced.stderr);
  assert.is.not(await readFile(path.join(root, 'config/keys/provisioning.pub'), 'utf8'), pub);
});

keygen('--output DIR writes there (and still never overwrites)', async () => {
  const { root } = await prodTree();
  const dir = path.join(root, 'elsewhere');
  await writeKeyPair({ dir });
  assert.is(await codeOf(writeKeyPair({ dir })), 'KEY_EXISTS');
  assert.ok(existsSync(path.join(dir, 'provisioning.key')));
});

const signing = suite('pack --sign');

signing('a configured secret key signs every pack, and an up-to-date pack gets its missing signature back', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  await addConfig(t.root, config);
  const first = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const sig = `${first.file}.minisig`;
  assert.ok(existsSync(sig));
  await verifyFile({ file: first.file, publicKeys: [keys.publicKeyFile] });
  await rm(sig);
  const again = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  assert.is(again.status, 'up-to-date');
  assert.ok(existsSync(sig), 'the no-op path signs a pack whose signature is missing');
  const text = await readFile(sig, 'utf8');
  await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  assert.is(await readFile(sig, 'utf8'), text, 'a valid signature is left alone');
});

signing('pack --sign never signs a tar it did not rebuild: a swapped tar with agreeing metadata and cache is PACK_EXISTS, unsigned', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root, true);
  await addConfig(t.root, config);
  const first = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const tar = first.file;
  const sig = `${tar}.minisig`;
  const ours = await readFile(tar);
  // Someone able to write distribution/ swaps the tar and makes the bookkeeping agree with it.
  const { buildTar } = await import('../../lib/pack/index.ts');
  const { fileIntegrity } = await import('../../lib/formats/integrity.ts');
  const { stat } = await import('node:fs/promises');
  const pj = Buffer.from(JSON.stringify({ name: 'aws_prov', version: '0.2.0', files: { 'main.ncl': 'x'.repeat(64) } }));
  await writeFile(
    tar,
    buildTar([{ path: 'aws_prov/' }, { path: 'aws_prov/main.ncl', data: Buffer.from('{ evil = true }\n') }, { path: 'aws_prov/PACK.json', data: pj }], { mtime: 0 }),
  );
  await rm(sig);
  const fi = await fileIntegrity(tar);
  const st = await stat(tar);
  const metaFile = path.join(t.root, 'distribution/registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  Object.assign(meta, fi);
  Object.assign(meta.versions['0.2.0'], fi);
  await writeFile(metaFile, JSON.stringify(meta));
  const cacheFile = path.join(t.root, 'distribution/cache/pack-index.json');
  const cache = JSON.parse(await readFile(cacheFile, 'utf8'));
  for (const r of Object.values<{ tar: object }>(cache.records)) r.tar = { ...r.tar, size: st.size, mtimeMs: st.mtimeMs, integrity: fi.integrity };
  await writeFile(cacheFile, JSON.stringify(cache));
  const swapped = await readFile(tar);

  assert.is(await codeOf(pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile })), 'PACK_EXISTS');
  assert.not.ok(existsSync(sig), 'no signature over the swapped bytes');
  assert.ok((await readFile(tar)).equals(swapped), 'the refusal changes nothing');
  // The tar on disk is signed only when it is byte for byte what the sources build.
  await writeFile(tar, ours);
  const again = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  assert.is(again.status, 'up-to-date');
  await verifyFile({ file: tar, publicKeys: [keys.publicKeyFile] });
});

signing('pack --force replacing a tar without a key removes its old .minisig (it signs bytes that no longer exist)', async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  const first = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const sig = `${first.file}.minisig`;
  assert.ok(existsSync(sig));
  await addConfig(t.root, config.replace(/secret_key = .*\n/, ''));
  await writeFile(path.join(t.root, 'extensions/providers/aws/nickel/extra.ncl'), '{ more = 1 }\n');
  const replaced = await pack(t.root, 'aws', { force: true });
  assert.is(replaced.status, 'replaced');
  assert.is(replaced.removedSignature, sig);
  assert.not.ok(existsSync(sig), 'the stale signature is gone');
  const result = await verifyPacks({ config: await t.config() });
  assert.not.ok(result.errors.some((p) => p.code === 'SIGNATURE_INVALID'));
  // With a key, the replaced tar gets a fresh signature instead.
  await writeFile(path.join(t.root, 'extensions/providers/aws/nickel/extra.ncl'), '{ more = 2 }\n');
  const signed = await pack(t.root, 'aws', { force: true, secretKeyFile: keys.secretKeyFile });
  assert.is(signed.status, 'replaced');
  await verifyFile({ file: signed.file, publicKeys: [keys.publicKeyFile] });
});

signing("pack:provider --force says it removed the replaced tar's signature (gulp subprocess)", async () => {
  const t = await prodTree();
  const { keys } = await keysFor(t.root);
  const first = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  await writeFile(path.join(t.root, 'extensions/providers/aws/nickel/extra.ncl'), '{ more = 1 }\n');
  const r = await gulp(['pack:provider', '--provider', 'aws', '--force', '--base', t.root]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, `removed ${first.file}.minisig`);
  assert.not.ok(existsSync(`${first.file}.minisig`));
});

signing('--sign without a configured secret_key fails before any tar is written (gulp subprocess)', async () => {
  const { root } = await prodTree();
  const r = await gulp(['pack:provider', '--provider', 'aws', '--sign', '--base', root]);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'KEY_INVALID');
  assert.not.ok(existsSync(path.join(root, 'distribution/packages/aws_prov_0.2.0.tar')));
});

if (!hasMinisign) {
  console.log('SKIP: minisign not found on PATH; "pack --sign verifies with minisign -Vm" is not run (apt-get install minisign)');
} else {
  signing('pack:provider --sign (gulp subprocess) writes a .minisig that `minisign -Vm <tar> -p <pub>` accepts', async () => {
    const t = await prodTree();
    const { keys, config } = await keysFor(t.root);
    await addConfig(t.root, config);
    const r = await gulp(['pack:provider', '--provider', 'aws', '--sign', '--base', t.root, '--silent']);
    assert.is(r.code, 0, r.stderr);
    const tar = path.join(t.root, 'distribution/packages/aws_prov_0.2.0.tar');
    const check = await minisign(['-Vm', tar, '-p', keys.publicKeyFile]);
    assert.is(check.code, 0, check.out);
    assert.match(check.out, 'Signature and comment signature verified');
  });
}

const verify = suite('pack:verify');

async function signedTree(require = false) {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root, require);
  await addConfig(t.root, config);
  const aws = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const local = await pack(t.root, 'local', { secretKeyFile: keys.secretKeyFile });
  return { ...t, keys, aws, local };
}

verify('intact signed packs pass, signatures verified', async () => {
  const t = await signedTree();
  const result = await verifyPacks({ config: await t.config() });
  assert.equal(result.errors, []);
  assert.equal(result.packs.map((p) => [p.module, p.integrity, p.signature]), [['aws_prov', 'ok', 'verified'], ['local_prov', 'ok', 'verified']]);
});

verify('a tampered tar is INTEGRITY_MISMATCH (and its signature SIGNATURE_INVALID)', async () => {
  const t = await signedTree();
  const bytes = await readFile(t.aws.file);
  bytes[600] = bytes[600]! ^ 1;
  await writeFile(t.aws.file, bytes);
  const result = await verifyPacks({ config: await t.config() });
  assert.equal(codes(result.errors), ['INTEGRITY_MISMATCH', 'SIGNATURE_INVALID']);
  assert.ok(result.errors.every((p) => p.message.includes('aws_prov')));
});

verify('tampered metadata (integrity edited) is INTEGRITY_MISMATCH', async () => {
  const t = await signedTree();
  const metaFile = path.join(t.root, 'distribution/registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  meta.versions['0.2.0'].integrity = `sha256-${Buffer.alloc(32, 7).toString('base64')}`;
  await writeFile(metaFile, JSON.stringify(meta));
  const result = await verifyPacks({ config: await t.config() });
  assert.equal(codes(result.errors), ['INTEGRITY_MISMATCH', 'INTEGRITY_MISMATCH']); // the version entry, and top-level vs versions
});

verify('a tampered signature is SIGNATURE_INVALID; a signature by an unknown key too', async () => {
  const t = await signedTree();
  const sig = `${t.aws.file}.minisig`;
  const lines = (await readFile(sig, 'utf8')).split('\n');
  lines[2] = lines[2]!.replace('timestamp:', 'timestamp:1'); // the trusted comment
  await writeFile(sig, lines.join('\n'));
  const other = await writeKeyPair({ dir: path.join(t.root, 'other-keys') });
  const { signFile } = await import('../../lib/sign/sign-file.ts');
  await signFile({ file: t.local.file, secretKeyFile: other.secretKeyFile });
  const result = await verifyPacks({ config: await t.config() });
  assert.equal(codes(result.errors), ['SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
});

verify('an unsigned pack: a warning, or SIGNATURE_MISSING with require_signatures; all problems reported (gulp subprocess)', async () => {
  const t = await signedTree(true);
  await rm(`${t.aws.file}.minisig`);
  const bytes = await readFile(t.local.file);
  await writeFile(t.local.file, Buffer.concat([bytes, Buffer.alloc(512)]));
  const r = await gulp(['pack:verify', '--base', t.root, '--format', 'json', '--silent']);
  assert.is.not(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.equal(codes(out.problems), ['INTEGRITY_MISMATCH', 'SIGNATURE_INVALID', 'SIGNATURE_MISSING']);
  const only = await verifyPacks({ config: await t.config(), module: 'aws_prov', range: '0.2.0' });
  assert.equal(codes(only.errors), ['SIGNATURE_MISSING']);
});

verify("pack:verify ties a signature to its file: another version's signed tar renamed under this version's name is SIGNATURE_INVALID", async () => {
  const t = await prodTree();
  const { keys, config } = await keysFor(t.root);
  await addConfig(t.root, config);
  const old = await pack(t.root, 'aws', { ver: '0.1.0', secretKeyFile: keys.secretKeyFile });
  const current = await pack(t.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  // Swap 0.2.0 for the (validly signed) 0.1.0 tar and make the metadata agree.
  await writeFile(current.file, await readFile(old.file));
  await writeFile(`${current.file}.minisig`, await readFile(`${old.file}.minisig`));
  const metaFile = path.join(t.root, 'distribution/registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  Object.assign(meta.versions['0.2.0'], { integrity: old.integrity, size: old.size });
  Object.assign(meta, { integrity: old.integrity, size: old.size });
  await writeFile(metaFile, JSON.stringify(meta));
  const result = await verifyPacks({ config: await t.config() });
  assert.equal(codes(result.errors), ['SIGNATURE_INVALID']);
  assert.match(result.errors[0]!.message, '0.2.0');
});

verify('--provider that was never packed is PACK_NOT_FOUND', async () => {
  const t = await prodTree();
  assert.is(await codeOf(verifyPacks({ config: await t.config(), module: 'nope_prov' })), 'PACK_NOT_FOUND');
});

keygen.run();
signing.run();
verify.run();
