/**
 * Interop with the real `minisign` (Debian's package; CI apt-installs it). Without it on PATH
 * these tests are not registered, and a SKIP line says so: they never pass silently.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signFile, verifyFile, writeKeyPair } from '../../lib/sign/index.ts';
import { run } from '../helpers/run.ts';
import { testdir } from '../helpers/testdir.ts';
import { codeOf } from '../helpers/codes.ts';

/** minisign with stdin closed: it must never wait for a password. */
const minisign = (args: readonly string[], options: { cwd?: string } = {}) => run('minisign', args, options);

const version = await minisign(['-v']).then((r) => (r.code === 0 ? r.stdout.trim() : undefined), () => undefined);

/** `minisign -G -W`: an unencrypted pair made by the real tool. */
async function theirKeys(dir: string): Promise<{ pub: string; key: string }> {
  const pub = path.join(dir, 'their.pub');
  const key = path.join(dir, 'their.key');
  const r = await minisign(['-G', '-W', '-p', pub, '-s', key], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  return { pub, key };
}

const interop = suite('sign: interop with Debian minisign');

if (version === undefined) {
  console.log('SKIP: minisign not found on PATH; the 6 interop tests are not run (apt-get install minisign)');
} else {
  interop(`our key and signature verify with \`minisign -V\` (${version})`, async () => {
    const dir = await testdir({ 'aws_prov_1.0.0.tar': 'tar bytes\n' });
    const keys = await writeKeyPair({ dir });
    const file = path.join(dir, 'aws_prov_1.0.0.tar');
    const { trustedComment } = await signFile({ file, secretKeyFile: keys.secretKeyFile });
    const r = await minisign(['-V', '-m', file, '-p', keys.publicKeyFile], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, 'Signature and comment signature verified');
    assert.match(r.stdout, trustedComment);
  });

  interop('`minisign -V` refuses our signature on a tampered file', async () => {
    const dir = await testdir({ 'p.tar': 'tar bytes\n' });
    const keys = await writeKeyPair({ dir });
    const file = path.join(dir, 'p.tar');
    await signFile({ file, secretKeyFile: keys.secretKeyFile });
    await writeFile(file, 'tar bytes?\n');
    const r = await minisign(['-V', '-m', file, '-p', keys.publicKeyFile], { cwd: dir });
    assert.is.not(r.code, 0);
  });

  interop('`minisign -S` works with our secret key, and we verify the result', async () => {
    const dir = await testdir({ 'p.tar': 'tar bytes\n' });
    const keys = await writeKeyPair({ dir });
    const file = path.join(dir, 'p.tar');
    const r = await minisign(['-S', '-s', keys.secretKeyFile, '-m', file, '-t', 'made by minisign'], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    const result = await verifyFile({ file, publicKeys: [keys.publicKeyFile] });
    assert.is(result.trustedComment, 'made by minisign');
    assert.is(result.keyId, keys.keyId);
  });

  interop('keys and signature made by `minisign -G -W` / `-S` verify with ours; tampering is refused', async () => {
    const dir = await testdir({ 'p.tar': 'their bytes\n' });
    const { pub, key } = await theirKeys(dir);
    const file = path.join(dir, 'p.tar');
    const r = await minisign(['-S', '-s', key, '-m', file], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    const shown = /([0-9A-F]+)\s*$/.exec((await readFile(pub, 'utf8')).split('\n')[0]!)![1]!;
    const result = await verifyFile({ file, publicKeys: [pub] });
    // Compared as numbers: Debian's minisign 0.11 prints the id without zero padding
    // (`%PRIX64`), so an id starting with a 0 nibble shows 15 digits; we print all 16.
    assert.is(BigInt(`0x${shown}`), BigInt(`0x${result.keyId}`), `${shown} vs ${result.keyId}`);
    assert.match(result.trustedComment, /^timestamp:\d+\tfile:p\.tar\thashed$/);

    const sig = `${file}.minisig`;
    const original = await readFile(sig, 'utf8');
    await writeFile(sig, original.replace('file:p.tar', 'file:q.tar'));
    assert.is(await codeOf(verifyFile({ file, publicKeys: [pub] })), 'SIGNATURE_INVALID');
    await writeFile(sig, original);
    await writeFile(file, 'their bytes.\n');
    assert.is(await codeOf(verifyFile({ file, publicKeys: [pub] })), 'SIGNATURE_INVALID');
  });

  interop('a legacy (`minisign -S -l`, not prehashed) signature verifies with ours', async () => {
    const dir = await testdir({ 'p.tar': 'legacy bytes\n' });
    const { pub, key } = await theirKeys(dir);
    const file = path.join(dir, 'p.tar');
    const r = await minisign(['-S', '-l', '-s', key, '-m', file], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    const result = await verifyFile({ file, publicKeys: [pub] });
    assert.is(result.prehashed, false);
    await writeFile(file, 'legacy bytes?\n');
    assert.is(await codeOf(verifyFile({ file, publicKeys: [pub] })), 'SIGNATURE_INVALID');
  });

  interop('we sign with a `minisign -G -W` secret key and `minisign -V` accepts it', async () => {
    const dir = await testdir({ 'p.tar': 'bytes\n' });
    const { pub, key } = await theirKeys(dir);
    const file = path.join(dir, 'p.tar');
    await signFile({ file, secretKeyFile: key });
    const r = await minisign(['-V', '-m', file, '-p', pub], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
  });
}

interop.run();
