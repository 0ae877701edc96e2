/**
 * A packed version is immutable, but its entries' mtime is not content: packing unchanged
 * sources under another SOURCE_DATE_EPOCH (a CI setting it from the last commit) keeps the
 * existing tar and reports it up to date with a note; only a content difference is PACK_EXISTS,
 * and that error says which files differ.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isProvisioningError } from '../../lib/errors.ts';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { packOne, packTree } from '../helpers/pack-tree.ts';

const test = suite('pack: SOURCE_DATE_EPOCH');

const EPOCH_A = 1600000000;
const EPOCH_B = 1700000000;

test('another SOURCE_DATE_EPOCH over unchanged sources is up to date: the existing tar is kept, with a note', async () => {
  const root = await packTree();
  const first = await packOne(root, 'aws', { mtime: EPOCH_A });
  assert.is(first.status, 'packed');
  const before = await snapshot(path.join(root, 'distribution'));
  const again = await packOne(root, 'aws', { mtime: EPOCH_B });
  assert.is(again.status, 'up-to-date');
  assert.is(again.integrity, first.integrity, 'the existing tar stands: same integrity');
  assert.match(again.note ?? '', 'mtime');
  const after = await snapshot(path.join(root, 'distribution'));
  for (const [file, bytes] of Object.entries(before)) if (!file.startsWith('cache/')) assert.is(after[file], bytes, `${file} unchanged`);
  // Found up to date from the cache next time; a signer gets the bytes on disk, not a rebuild with the new mtime.
  let signedBytes: Buffer | undefined;
  const third = await packOne(root, 'aws', {
    mtime: EPOCH_B,
    afterPack: async (_r, ctx) => {
      signedBytes = await ctx.verifiedBytes();
    },
  });
  assert.is(third.status, 'up-to-date');
  assert.equal(signedBytes, await readFile(first.file));
});

test('a signer of an up-to-date pack under another SOURCE_DATE_EPOCH gets the bytes on disk (verified by content)', async () => {
  const root = await packTree();
  const first = await packOne(root, 'aws', { mtime: EPOCH_A });
  let signedBytes: Buffer | undefined;
  const again = await packOne(root, 'aws', {
    mtime: EPOCH_B,
    afterPack: async (_r, ctx) => {
      signedBytes = await ctx.verifiedBytes();
    },
  });
  assert.is(again.status, 'up-to-date');
  assert.equal(signedBytes, await readFile(first.file));
});

test('other content under another SOURCE_DATE_EPOCH is still PACK_EXISTS, and the error names the files that differ', async () => {
  const root = await packTree();
  await packOne(root, 'aws', { mtime: EPOCH_A });
  await writeFile(path.join(root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '# Defaults\n{ zone = "z2", plan = "small" }\n');
  await writeFile(path.join(root, 'extensions/providers/aws/nickel/NOTES.md'), 'notes\n');
  const before = await snapshot(path.join(root, 'distribution/packages'));
  const error = await packOne(root, 'aws', { mtime: EPOCH_B }).then(() => undefined, (e: unknown) => e);
  assert.ok(isProvisioningError(error), String(error));
  assert.is(error.code, 'PACK_EXISTS');
  for (const name of ['defaults_aws.ncl', 'NOTES.md']) assert.match(error.message, name);
  assert.match(error.message, /\d+ files? differ/);
  assert.equal(await snapshot(path.join(root, 'distribution/packages')), before, 'the packed tar is left as it was');
});

test('pack:provider with a new SOURCE_DATE_EPOCH and no source change exits 0, up to date (gulp subprocess)', async () => {
  const root = await packTree();
  const first = await gulp(['pack:provider', '--provider', 'aws', '--base', root, '--silent'], { env: { SOURCE_DATE_EPOCH: String(EPOCH_A) } });
  assert.is(first.code, 0, first.stderr);
  const tar = await readFile(path.join(root, 'distribution/packages/aws_prov_1.0.0.tar'));
  const r = await gulp(['pack:provider', '--provider', 'aws', '--base', root, '--format', 'json', '--silent'], { env: { SOURCE_DATE_EPOCH: String(EPOCH_B) } });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout)[0].status, 'up-to-date');
  assert.match(r.stderr, 'mtime');
  assert.equal(await readFile(path.join(root, 'distribution/packages/aws_prov_1.0.0.tar')), tar);
});

test.run();
