/**
 * A pack agrees with its own name: packed with `--ver`, the copy of the manifest inside the tar
 * carries that version (a text edit of that one value), while the source file is never changed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testdir } from '../../helpers/testdir.ts';
import { packOne, packTree, providerFiles } from '../../helpers/pack-tree.ts';

const test = suite('pack: the packed manifest');

const MANIFEST = 'extensions/providers/aws/nickel/manifest.toml';
const SOURCE = `# aws provider\n[package]\nname = "aws_prov"\nversion = "1.10.0"   # bumped by release\nedition = "2024"\n\n[dependencies]\n`;

async function extracted(file: string): Promise<string> {
  const dir = await testdir();
  await tar.x({ file, cwd: dir });
  return dir;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test("packed with --ver, the tar's manifest.toml says that version; every other byte and the source file are kept", async () => {
  const root = await packTree({ tree: { ...providerFiles('aws'), [MANIFEST]: SOURCE } });
  const r = await packOne(root, 'aws', { ver: '0.2.0' });
  assert.is(path.basename(r.file), 'aws_prov_0.2.0.tar');
  const dir = await extracted(r.file);
  const packed = await readFile(path.join(dir, 'aws_prov/manifest.toml'));
  assert.is(packed.toString('utf8'), SOURCE.replace('"1.10.0"', '"0.2.0"'));
  assert.is(await readFile(path.join(root, MANIFEST), 'utf8'), SOURCE, 'the source manifest is never changed');
  const packJson = JSON.parse(await readFile(path.join(dir, 'aws_prov/PACK.json'), 'utf8'));
  assert.is(packJson.version, '0.2.0');
  assert.is(packJson.files['manifest.toml'], sha256(packed), 'PACK.json hashes the packed bytes');
  // Packing again is up to date: the edit is part of what the pack is made from, every time.
  assert.is((await packOne(root, 'aws', { ver: '0.2.0' })).status, 'up-to-date');
});

test("without --ver, or with the manifest's own version, the manifest is packed byte for byte", async () => {
  for (const ver of [undefined, '1.10.0']) {
    const root = await packTree({ tree: { ...providerFiles('aws'), [MANIFEST]: SOURCE } });
    const r = await packOne(root, 'aws', ver ? { ver } : {});
    const dir = await extracted(r.file);
    assert.is(await readFile(path.join(dir, 'aws_prov/manifest.toml'), 'utf8'), SOURCE, String(ver));
  }
});

test('a single-quoted version keeps its quotes; a CRLF manifest keeps its line ends', async () => {
  const crlf = `[package]\r\nname = 'aws_prov'\r\nversion = '1.0.0'\r\n`;
  const root = await packTree({ tree: { ...providerFiles('aws'), [MANIFEST]: crlf } });
  const r = await packOne(root, 'aws', { ver: '2.0.0-rc.1' });
  const dir = await extracted(r.file);
  assert.is(await readFile(path.join(dir, 'aws_prov/manifest.toml'), 'utf8'), `[package]\r\nname = 'aws_prov'\r\nversion = '2.0.0-rc.1'\r\n`);
});

test.run();
