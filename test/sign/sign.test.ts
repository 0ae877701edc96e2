import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js';

const blake2b = (data: Uint8Array, dkLen: number) => nobleBlake2b(data, { dkLen });
import { generateKeyPair, signFile, verifyFile, writeKeyPair } from '../../lib/sign/index.ts';
import { signedFileName } from '../../lib/formats/minisign.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { codeOf } from '../helpers/codes.ts';

async function caught(promise: Promise<unknown>): Promise<ProvisioningError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProvisioningError) return error;
    throw error;
  }
  throw new Error('expected a ProvisioningError');
}

/** A key pair on disk and a signed file beside it. */
async function signedTree(content: string | Uint8Array = 'pack bytes\n') {
  const dir = await testdir({ 'pkg.tar': content });
  const keys = await writeKeyPair({ dir: path.join(dir, 'keys') });
  const file = path.join(dir, 'pkg.tar');
  await signFile({ file, secretKeyFile: keys.secretKeyFile });
  return { dir, file, keys, sig: `${file}.minisig` };
}

/** Replaces line `index` (0-based) of the signature file. */
async function editSigLine(sig: string, index: number, edit: (line: string) => string): Promise<void> {
  const lines = (await readFile(sig, 'utf8')).split('\n');
  lines[index] = edit(lines[index]!);
  await writeFile(sig, lines.join('\n'));
}

/** Flips one bit in a base64 line's decoded bytes at `offset`. */
function flipBase64(line: string, offset: number): string {
  const raw = Buffer.from(line, 'base64');
  raw[offset] = raw[offset]! ^ 0x01;
  return raw.toString('base64');
}

// The secret-key checksum's BLAKE2b-256 comes from @noble/hashes: the length is a parameter, not a truncation.
const blake = suite('sign: BLAKE2b');
blake('BLAKE2b-256 matches the RFC 7693 / reference vector for "abc"', () => {
  assert.is(Buffer.from(blake2b(Buffer.from('abc'), 32)).toString('hex'), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
});
blake('BLAKE2b-512 agrees with node:crypto across block boundaries', () => {
  for (const n of [0, 1, 127, 128, 129, 256, 1000]) {
    const data = randomBytes(n);
    assert.is(Buffer.from(blake2b(data, 64)).toString('hex'), createHash('blake2b512').update(data).digest('hex'), `length ${n}`);
  }
});
blake.run();

const keys = suite('sign: keys');
keys('generateKeyPair gives minisign-shaped texts with a matching key id', () => {
  const pair = generateKeyPair();
  assert.match(pair.keyId, /^[0-9A-F]{16}$/);
  assert.match(pair.publicKey, new RegExp(`^untrusted comment: minisign public key ${pair.keyId}\nRW[A-Za-z0-9+/]{54}\n$`));
  assert.match(pair.secretKey, /^untrusted comment: .*\n[A-Za-z0-9+/=]+\n$/);
  assert.is(Buffer.from(pair.secretKey.split('\n')[1]!, 'base64').length, 158);
});
keys('writeKeyPair writes the secret key 0600 and the public key readable', async () => {
  const dir = await testdir();
  const out = await writeKeyPair({ dir: path.join(dir, 'config/keys') });
  assert.is(path.basename(out.secretKeyFile), 'provisioning.key');
  assert.is(path.basename(out.publicKeyFile), 'provisioning.pub');
  assert.is((await stat(out.secretKeyFile)).mode & 0o777, 0o600);
  assert.match(await readFile(out.publicKeyFile, 'utf8'), out.keyId);
});
keys('writeKeyPair never overwrites an existing key without force (KEY_EXISTS)', async () => {
  const dir = await testdir();
  await writeKeyPair({ dir });
  const before = await snapshot(dir);
  assert.is(await codeOf(writeKeyPair({ dir })), 'KEY_EXISTS');
  assert.equal(await snapshot(dir), before);
});
keys('writeKeyPair refuses when only the public half exists, writing nothing', async () => {
  const dir = await testdir({ 'provisioning.pub': 'mine\n' });
  assert.is(await codeOf(writeKeyPair({ dir })), 'KEY_EXISTS');
  assert.equal(await snapshot(dir), { '/': 'dir', 'provisioning.pub': Buffer.from('mine\n').toString('base64') });
});
keys('writeKeyPair with force replaces the pair', async () => {
  const dir = await testdir();
  const first = await writeKeyPair({ dir });
  const second = await writeKeyPair({ dir, force: true });
  assert.is.not(second.keyId, first.keyId);
  assert.match(await readFile(second.publicKeyFile, 'utf8'), second.keyId);
  assert.is((await stat(second.secretKeyFile)).mode & 0o777, 0o600);
});
keys('a corrupted secret key is KEY_INVALID', async () => {
  const dir = await testdir({ 'f': 'x' });
  const pair = generateKeyPair();
  const [comment, b64] = pair.secretKey.split('\n');
  const raw = Buffer.from(b64!, 'base64');
  raw[70] = raw[70]! ^ 0xff; // inside the secret key bytes: the checksum no longer matches
  const secretKeyText = `${comment}\n${raw.toString('base64')}\n`;
  assert.is(await codeOf(signFile({ file: path.join(dir, 'f'), secretKeyText })), 'KEY_INVALID');
  assert.is(await codeOf(signFile({ file: path.join(dir, 'f'), secretKeyText: 'untrusted comment: x\nnot base64!\n' })), 'KEY_INVALID');
});
keys('a password-protected (scrypt) secret key is KEY_INVALID with a hint', async () => {
  const dir = await testdir({ 'f': 'x' });
  const [comment, b64] = generateKeyPair().secretKey.split('\n');
  const raw = Buffer.from(b64!, 'base64');
  raw.write('Sc', 2, 'latin1');
  const error = await caught(signFile({ file: path.join(dir, 'f'), secretKeyText: `${comment}\n${raw.toString('base64')}\n` }));
  assert.is(error.code, 'KEY_INVALID');
  assert.match(error.hint ?? '', 'minisign -C');
  // A key given as text has no file: the hint must not offer `-s secretKeyText` as one.
  assert.not.match(error.hint ?? '', '-s secretKeyText');
});
keys('a missing secret key file is KEY_INVALID', async () => {
  const dir = await testdir({ 'f': 'x' });
  assert.is(await codeOf(signFile({ file: path.join(dir, 'f'), secretKeyFile: path.join(dir, 'nope.key') })), 'KEY_INVALID');
});
keys.run();

const roundTrip = suite('sign: sign and verify');
roundTrip('round trip with key files', async () => {
  const { file, keys: k } = await signedTree();
  const result = await verifyFile({ file, publicKeys: [k.publicKeyFile] });
  assert.is(result.keyId, k.keyId);
  assert.is(result.prehashed, true);
  assert.match(result.trustedComment, /^timestamp:\d+\tfile:pkg\.tar\thashed$/);
});
roundTrip("the .minisig has minisign's four lines", async () => {
  const { sig } = await signedTree();
  const lines = (await readFile(sig, 'utf8')).split('\n');
  assert.is(lines.length, 5);
  assert.match(lines[0]!, /^untrusted comment: /);
  assert.match(lines[1]!, /^RU/); // base64 of "ED": prehashed
  assert.match(lines[2]!, /^trusted comment: timestamp:\d+\tfile:pkg\.tar\thashed$/);
  assert.is(Buffer.from(lines[3]!, 'base64').length, 64);
  assert.is(lines[4], '');
});
roundTrip('round trip with key texts, a custom trusted comment and a big file', async () => {
  const dir = await testdir({ 'big.tar': randomBytes(3 * 1024 * 1024 + 17) });
  const pair = generateKeyPair();
  const file = path.join(dir, 'big.tar');
  await signFile({ file, secretKeyText: pair.secretKey, trustedComment: 'module:aws_prov\tversion:1.2.3' });
  const bare = pair.publicKey.split('\n')[1]!;
  for (const key of [pair.publicKey, bare]) {
    const result = await verifyFile({ file, publicKeys: [key] });
    assert.is(result.trustedComment, 'module:aws_prov\tversion:1.2.3');
  }
});
roundTrip('picks the signing key among several trusted keys', async () => {
  const { file, keys: k } = await signedTree();
  const result = await verifyFile({ file, publicKeys: [generateKeyPair().publicKey, k.publicKeyFile] });
  assert.is(result.keyId, k.keyId);
});
roundTrip('signing is atomic: no temp files are left beside the signature', async () => {
  const { dir } = await signedTree();
  assert.equal(Object.keys(await snapshot(dir)).sort(), ['/', 'keys/', 'keys/provisioning.key', 'keys/provisioning.pub', 'pkg.tar', 'pkg.tar.minisig']);
});
roundTrip.run();

const tamper = suite('sign: tampering is refused');
tamper('tampered file → SIGNATURE_INVALID', async () => {
  const { file, keys: k } = await signedTree();
  await writeFile(file, 'pack bytes!\n');
  assert.is(await codeOf(verifyFile({ file, publicKeys: [k.publicKeyFile] })), 'SIGNATURE_INVALID');
});
tamper('tampered signature bytes → SIGNATURE_INVALID', async () => {
  const { file, sig, keys: k } = await signedTree();
  await editSigLine(sig, 1, (line) => flipBase64(line, 40));
  assert.is(await codeOf(verifyFile({ file, publicKeys: [k.publicKeyFile] })), 'SIGNATURE_INVALID');
});
tamper('tampered global signature → SIGNATURE_INVALID', async () => {
  const { file, sig, keys: k } = await signedTree();
  await editSigLine(sig, 3, (line) => flipBase64(line, 5));
  assert.is(await codeOf(verifyFile({ file, publicKeys: [k.publicKeyFile] })), 'SIGNATURE_INVALID');
});
tamper('tampered trusted comment → SIGNATURE_INVALID', async () => {
  const { file, sig, keys: k } = await signedTree();
  await editSigLine(sig, 2, (line) => line.replace('pkg.tar', 'other.tar'));
  assert.is(await codeOf(verifyFile({ file, publicKeys: [k.publicKeyFile] })), 'SIGNATURE_INVALID');
});
tamper('an edited untrusted comment is fine (it is not signed, as in minisign)', async () => {
  const { file, sig, keys: k } = await signedTree();
  await editSigLine(sig, 0, () => 'untrusted comment: anything');
  assert.is((await verifyFile({ file, publicKeys: [k.publicKeyFile] })).keyId, k.keyId);
});
tamper('signature from an unknown key → SIGNATURE_INVALID naming the key id', async () => {
  const { file, keys: k } = await signedTree();
  const other = generateKeyPair();
  const error = await caught(verifyFile({ file, publicKeys: [other.publicKey] }));
  assert.is(error.code, 'SIGNATURE_INVALID');
  assert.match(error.message + (error.hint ?? ''), k.keyId);
});
tamper('a key id swapped to a trusted key does not help a foreign signature', async () => {
  const { file, sig } = await signedTree();
  const trusted = generateKeyPair();
  const trustedId = Buffer.from(trusted.publicKey.split('\n')[1]!, 'base64').subarray(2, 10);
  await editSigLine(sig, 1, (line) => {
    const raw = Buffer.from(line, 'base64');
    trustedId.copy(raw, 2);
    return raw.toString('base64');
  });
  assert.is(await codeOf(verifyFile({ file, publicKeys: [trusted.publicKey] })), 'SIGNATURE_INVALID');
});
tamper('signedName: a signature whose trusted comment names another file is SIGNATURE_INVALID; comments without file: are accepted', async () => {
  const { dir, file, keys: k } = await signedTree();
  // The same signed bytes under another name: cryptographically fine, but signed as pkg.tar.
  const renamed = path.join(dir, 'other.tar');
  await writeFile(renamed, await readFile(file));
  await writeFile(`${renamed}.minisig`, await readFile(`${file}.minisig`));
  assert.is(await codeOf(verifyFile({ file: renamed, publicKeys: [k.publicKeyFile], signedName: 'other.tar' })), 'SIGNATURE_INVALID');
  assert.is((await verifyFile({ file, publicKeys: [k.publicKeyFile], signedName: 'pkg.tar' })).keyId, k.keyId);
  await signFile({ file: renamed, secretKeyFile: k.secretKeyFile, trustedComment: 'timestamp:1' });
  assert.is((await verifyFile({ file: renamed, publicKeys: [k.publicKeyFile], signedName: 'other.tar' })).trustedComment, 'timestamp:1');
  assert.is(signedFileName('timestamp:1\tfile:a_1.0.0.tar\thashed'), 'a_1.0.0.tar');
  assert.is(signedFileName('timestamp:1'), undefined);
});
tamper('missing .minisig → SIGNATURE_MISSING', async () => {
  const dir = await testdir({ 'pkg.tar': 'x' });
  assert.is(await codeOf(verifyFile({ file: path.join(dir, 'pkg.tar'), publicKeys: [generateKeyPair().publicKey] })), 'SIGNATURE_MISSING');
});
tamper('garbage in the .minisig → SIGNATURE_INVALID', async () => {
  const { file, sig, keys: k } = await signedTree();
  await writeFile(sig, 'hello\n');
  assert.is(await codeOf(verifyFile({ file, publicKeys: [k.publicKeyFile] })), 'SIGNATURE_INVALID');
});
tamper.run();
