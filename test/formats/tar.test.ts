import { execFileSync } from 'node:child_process';
import { chmod, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTar } from '../../lib/formats/tar/write.ts';
import { sha256Hex } from '../../lib/formats/integrity.ts';
import { testdir, type Tree, writeTree } from '../helpers/testdir.ts';
import { packOne, packTree, providerFiles } from '../helpers/pack-tree.ts';

const test = suite('reproducible tar');

const FILES: Tree = {
  ...providerFiles('aws'),
  'extensions/providers/aws/nickel/sub/deep/data.bin': new Uint8Array([0, 255, 1, 254, 10, 13, 0]),
  'extensions/providers/aws/nickel/bin/run.sh': '#!/bin/sh\necho hi\n',
};

/** The same files written in the opposite order, with other mtimes and permission bits. */
async function scrambledTree(): Promise<string> {
  const reversed = Object.fromEntries(Object.entries(FILES).reverse());
  const root = await packTree({ tree: reversed });
  const dir = path.join(root, 'extensions/providers/aws/nickel');
  let t = 1_000_000;
  for (const rel of Object.keys(FILES)) {
    const file = path.join(root, rel);
    await utimes(file, t += 7777, t += 3333);
    await chmod(file, rel.endsWith('.sh') ? 0o700 : 0o600); // what a umask of 077 gives
  }
  await writeTree(dir, { '.DS_Store': 'junk', 'server_aws.ncl~': 'backup', '.server_aws.ncl.swp': 'swap', '.git/HEAD': 'ref: main\n' });
  try {
    execFileSync('chown', ['-R', '1234:5678', dir], { stdio: 'ignore' }); // other owners, when allowed
  } catch {
    // not root: owners stay, the test still covers the rest
  }
  return root;
}

async function plainTree(): Promise<string> {
  const root = await packTree({ tree: FILES });
  await chmod(path.join(root, 'extensions/providers/aws/nickel/bin/run.sh'), 0o755);
  return root;
}

test('the same inputs give byte-identical tars whatever mtimes, modes, owners, order or junk', async () => {
  const a = await packOne(await plainTree(), 'aws');
  const b = await packOne(await scrambledTree(), 'aws');
  const [x, y] = [await readFile(a.file), await readFile(b.file)];
  assert.ok(x.equals(y), 'tars differ');
  assert.is(a.integrity, b.integrity);
});

test('SOURCE_DATE_EPOCH sets every mtime', async () => {
  const r = await packOne(await plainTree(), 'aws', { mtime: 1700000000 });
  const times = new Set<number>();
  await tar.t({ file: r.file, onReadEntry: (e) => void times.add(e.mtime!.getTime() / 1000) });
  assert.equal([...times], [1700000000]);
});

test('node-tar reads it back: sorted, under <module>/, uid/gid 0, no owner names, normalised modes', async () => {
  const r = await packOne(await scrambledTree(), 'aws');
  const entries: { path: string; uid: number; gid: number; uname: string; gname: string; mode: number; type: string }[] = [];
  await tar.t({
    file: r.file,
    onReadEntry: (e) => void entries.push({ path: e.path, uid: e.uid!, gid: e.gid!, uname: e.uname ?? '', gname: e.gname ?? '', mode: e.mode!, type: e.type }),
  });
  const paths = entries.map((e) => e.path);
  assert.equal(paths, [...paths].sort());
  assert.ok(paths.every((p) => p.startsWith('aws_prov/')));
  assert.ok(entries.every((e) => e.uid === 0 && e.gid === 0 && e.uname === '' && e.gname === ''));
  assert.ok(!paths.some((p) => /\.DS_Store|~$|\.swp$|\.git\//.test(p)), 'junk packed');
  const mode = (p: string) => entries.find((e) => e.path === p)!.mode & 0o7777;
  assert.is(mode('aws_prov/bin/run.sh'), 0o755);
  assert.is(mode('aws_prov/server_aws.ncl'), 0o644);
  assert.is(mode('aws_prov/sub/'), 0o755);
  assert.ok(paths.includes('aws_prov/PACK.json') && paths.includes('aws_prov/export/server_aws.json'));
});

test('GNU tar -tvf lists 0/0 owners, sorted entries under <module>/', async () => {
  const r = await packOne(await scrambledTree(), 'aws');
  const out = execFileSync('tar', ['-tvf', r.file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const lines = out.trim().split('\n');
  assert.ok(lines.every((l) => / 0\/0 /.test(l)), out);
  const names = lines.map((l) => l.split(/\s+/).slice(5).join(' '));
  assert.equal(names, [...names].sort());
  assert.ok(names.every((n) => n.startsWith('aws_prov/')));
  assert.match(out, '1985-10-26 08:15');
  assert.match(out, /-rwxr-xr-x 0\/0 .* aws_prov\/bin\/run\.sh/);
});

test('PACK.json names every other file with its sha256', async () => {
  const r = await packOne(await plainTree(), 'aws');
  const out = await testdir();
  await tar.x({ file: r.file, cwd: out });
  const pack = JSON.parse(await readFile(path.join(out, 'aws_prov/PACK.json'), 'utf8'));
  assert.is(pack.name, 'aws_prov');
  assert.is(pack.version, '1.0.0');
  const files = Object.keys(pack.files);
  assert.ok(files.includes('sub/deep/data.bin') && files.includes('export/network_aws.json') && !files.includes('PACK.json'));
  for (const rel of files) assert.is(pack.files[rel], sha256Hex(await readFile(path.join(out, 'aws_prov', rel))), rel);
  assert.equal([...(await readFile(path.join(out, 'aws_prov/sub/deep/data.bin')))], [0, 255, 1, 254, 10, 13, 0]);
});

test('long and non-ASCII names survive through PAX headers (node-tar and GNU tar)', async () => {
  const long = `m/${'d'.repeat(120)}/${'f'.repeat(110)}.ncl`;
  const names = ['m/', long, 'm/caf\u00e9.ncl'];
  const dir = await testdir();
  const file = path.join(dir, 'x.tar');
  await writeFile(file, buildTar(names.map((p) => (p.endsWith('/') ? { path: p } : { path: p, data: Buffer.from(p) })), { mtime: 0 }));
  const seen: string[] = [];
  await tar.t({ file, onReadEntry: (e) => void seen.push(e.path) });
  assert.equal(seen, names);
  const gnu = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(gnu, names);
});

test.run();
