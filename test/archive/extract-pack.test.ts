import { run } from '../helpers/run.ts';
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareDigests, extractPack, hashFolder, NOT_A_FILE } from '../../lib/archive/index.ts';
import { parsePackManifest } from '../../lib/formats/pack-json.ts';
import { packTar } from '../../lib/pack/pack-tar.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { craftTar, packEntries, sha256 } from '../helpers/craft-tar.ts';
import { codeOf } from '../helpers/codes.ts';

const M = 'aws_prov';

/** GNU tar, stdin closed. */
const gnuTar = (args: readonly string[], cwd: string) => run('tar', args, { cwd });
const gnuTarVersion = await gnuTar(['--version'], '.').then((r) => (r.code === 0 && r.stdout.includes('GNU tar') ? r.stdout.split('\n')[0] : undefined), () => undefined);

/** A temp tree with a good pack at `pack.tar` and `infra/vendor/` as dest's parent. */
async function goodPack(spec: Parameters<typeof packEntries>[0] = {}) {
  const root = await testdir({ 'infra/vendor/.keep': '' });
  const tarFile = path.join(root, 'pack.tar');
  await writeFile(tarFile, craftTar(packEntries(spec)));
  return { root, tarFile, dest: path.join(root, 'infra', 'vendor', spec.module ?? M) };
}

/** What is left beside dest: no `.aws_prov.extract-*` or `.aws_prov.old-*`. */
async function siblings(dest: string): Promise<string[]> {
  return (await readdir(path.dirname(dest))).sort();
}

const extract = suite('archive: extractPack');
extract('extracts a good pack into dest, with PACK.json, and reports its manifest', async () => {
  const { tarFile, dest } = await goodPack();
  const result = await extractPack({ tarFile, module: M, dest });
  assert.is(result.dest, dest);
  assert.is(result.name, M);
  assert.is(result.version, '1.2.3');
  assert.equal(Object.keys(result.files).sort(), ['lib/util.ncl', 'main.ncl', 'manifest.toml']);
  assert.is(await readFile(path.join(dest, 'lib/util.ncl'), 'utf8'), '{ b = 2 }\n');
  assert.ok((await stat(path.join(dest, 'PACK.json'))).isFile());
  assert.is((await stat(dest)).mode & 0o777, 0o755);
  assert.equal(await siblings(dest), ['.keep', M]);
});
extract('keeps the executable bit, drops every other mode bit', async () => {
  const root = await testdir();
  const entries = packEntries({ files: { 'bin/run.sh': '#!/bin/sh\n', 'a.ncl': '1' } }).map((e) =>
    e.path.endsWith('run.sh') ? { ...e, mode: 0o4777 } : e.path.endsWith('a.ncl') ? { ...e, mode: 0o666 } : e
  );
  const tarFile = path.join(root, 'p.tar');
  await writeFile(tarFile, craftTar(entries));
  const dest = path.join(root, 'out');
  await extractPack({ tarFile, module: M, dest });
  assert.is((await stat(path.join(dest, 'bin/run.sh'))).mode & 0o7777, 0o755);
  assert.is((await stat(path.join(dest, 'a.ncl'))).mode & 0o7777, 0o644);
});
extract('creates a missing parent folder of dest', async () => {
  const { root, tarFile } = await goodPack();
  const dest = path.join(root, 'new', 'vendor', M);
  await extractPack({ tarFile, module: M, dest });
  assert.ok((await stat(path.join(dest, 'main.ncl'))).isFile());
});
extract('an existing dest is refused without replace, and left as it was', async () => {
  const { root, tarFile, dest } = await goodPack();
  await mkdir(dest);
  await writeFile(path.join(dest, 'local-edit.ncl'), 'mine');
  const before = await snapshot(root);
  assert.is(await codeOf(extractPack({ tarFile, module: M, dest })), 'OUTPUT_UNWRITABLE');
  assert.equal(await snapshot(root), before);
});
extract('replace: true swaps the old folder out completely, leaving nothing beside it', async () => {
  const { tarFile, dest } = await goodPack();
  await mkdir(dest);
  await writeFile(path.join(dest, 'old-only.ncl'), 'old');
  await extractPack({ tarFile, module: M, dest, replace: true });
  assert.equal(Object.keys(await snapshot(dest)).sort(), ['/', 'PACK.json', 'lib/', 'lib/util.ncl', 'main.ncl', 'manifest.toml']);
  assert.equal(await siblings(dest), ['.keep', M]);
});
extract('replace: true with a hostile pack keeps the old folder intact', async () => {
  const { root, dest } = await goodPack();
  await mkdir(dest);
  await writeFile(path.join(dest, 'old.ncl'), 'old');
  const tarFile = path.join(root, 'evil.tar');
  await writeFile(tarFile, craftTar([...packEntries(), { path: `${M}/x`, type: '2', linkpath: '/etc/passwd' }]));
  const before = await snapshot(root);
  assert.is(await codeOf(extractPack({ tarFile, module: M, dest, replace: true })), 'UNSAFE_ARCHIVE_ENTRY');
  assert.equal(await snapshot(root), before);
});
extract('long paths through pax and GNU long names extract where they say', async () => {
  const deep = `${'nested-folder/'.repeat(9)}file-with-a-long-name.ncl`; // > 100 bytes
  const root = await testdir();
  const files = { [deep]: 'deep', 'top.ncl': 'top' };
  const entries = packEntries({ files }); // the long file and folders get pax paths
  assert.ok(entries.some((e) => e.pax?.path === `${M}/${deep}`));
  const tarFile = path.join(root, 'p.tar');
  await writeFile(tarFile, craftTar(entries));
  await extractPack({ tarFile, module: M, dest: path.join(root, 'a') });
  assert.is(await readFile(path.join(root, 'a', deep), 'utf8'), 'deep');
  const gnu = packEntries({ files }).map(({ pax, ...e }) => (pax?.path ? { ...e, path: `${M}/short`, gnuLongName: pax.path } : e));
  await writeFile(tarFile, craftTar(gnu));
  await extractPack({ tarFile, module: M, dest: path.join(root, 'b') });
  assert.is(await readFile(path.join(root, 'b', deep), 'utf8'), 'deep');
});
extract('a missing tar is PACK_NOT_FOUND; a bad module name is INVALID_OPTION', async () => {
  const root = await testdir();
  assert.is(await codeOf(extractPack({ tarFile: path.join(root, 'nope.tar'), module: M, dest: path.join(root, 'd') })), 'PACK_NOT_FOUND');
  assert.is(await codeOf(extractPack({ tarFile: path.join(root, 'nope.tar'), module: '../x', dest: path.join(root, 'd') })), 'INVALID_OPTION');
});
extract.run();

const digests = suite('archive: hashFolder and compareDigests');
digests('hashFolder of an extracted pack equals its PACK.json files', async () => {
  const { tarFile, dest } = await goodPack();
  const result = await extractPack({ tarFile, module: M, dest });
  const manifest = JSON.parse(await readFile(path.join(dest, 'PACK.json'), 'utf8')) as { files: Record<string, string> };
  // The digest records have no prototype (so `__proto__` is a plain key): spread to compare.
  assert.equal({ ...(await hashFolder({ dir: dest })) }, manifest.files);
  assert.equal({ ...result.files }, manifest.files);
});
digests('an edited, an added, a removed file and a symlink are each reported', async () => {
  const { tarFile, dest } = await goodPack();
  const { files } = await extractPack({ tarFile, module: M, dest });
  await writeFile(path.join(dest, 'main.ncl'), '{ a = 2 }\n');
  await writeFile(path.join(dest, 'added.ncl'), 'new');
  await writeFile(path.join(dest, 'lib/util.ncl'), '');
  await rm(path.join(dest, 'manifest.toml'));
  await symlink('/etc/hostname', path.join(dest, 'lib/link.ncl'));
  const actual = await hashFolder({ dir: dest });
  assert.is(actual['lib/link.ncl'], NOT_A_FILE);
  assert.is(actual['added.ncl'], sha256('new'));
  assert.equal(compareDigests(files, actual), { missing: ['manifest.toml'], extra: ['added.ncl', 'lib/link.ncl'], changed: ['lib/util.ncl', 'main.ncl'] });
});
digests('exclude leaves chosen paths out (PACK.json by default)', async () => {
  const dir = await testdir({ 'PACK.json': '{}', 'a.ncl': 'a', 'b/c.ncl': 'c' });
  assert.equal(Object.keys(await hashFolder({ dir })), ['a.ncl', 'b/c.ncl']);
  assert.equal(Object.keys(await hashFolder({ dir, exclude: ['a.ncl'] })), ['PACK.json', 'b/c.ncl']);
});
digests.run();

const gnu = suite('archive: agreement with GNU tar');
if (gnuTarVersion === undefined) {
  console.log('SKIP: GNU tar not found on PATH; the 2 GNU tar agreement tests are not run');
} else {
  gnu(`GNU tar (${gnuTarVersion}) extracts our crafted good pack to the same bytes`, async () => {
    const deep = `${'nested-folder/'.repeat(9)}long-name.ncl`;
    const files = { [deep]: 'deep\n', 'main.ncl': '{ a = 1 }\n', 'bin/run.sh': '#!/bin/sh\n' };
    const entries = packEntries({ files }); // long paths as pax records
    const root = await testdir();
    const tarFile = path.join(root, 'p.tar');
    await writeFile(tarFile, craftTar(entries));
    const ours = path.join(root, 'ours');
    await extractPack({ tarFile, module: M, dest: ours });
    await mkdir(path.join(root, 'theirs'));
    const r = await gnuTar(['-xf', tarFile, '-C', path.join(root, 'theirs')], root);
    assert.is(r.code, 0, r.stderr);
    assert.equal(await snapshot(path.join(root, 'theirs', M)), await snapshot(ours));
    const listed = await gnuTar(['-tf', tarFile], root);
    assert.ok(listed.stdout.split('\n').includes(`${M}/${deep}`), listed.stdout);
  });
  gnu('we extract packs written by GNU tar, in posix and gnu formats, with long names', async () => {
    const deep = `${'nested-folder/'.repeat(9)}long-name.ncl`;
    for (const format of ['posix', 'gnu', 'ustar']) {
      const files: Record<string, string> = { 'main.ncl': '{ a = 1 }\n' };
      if (format !== 'ustar') files[deep] = 'deep\n'; // ustar's prefix/name split handles ≤255, but only at a '/'
      else files[`${'nested-folder/'.repeat(6)}x.ncl`] = 'prefix\n';
      const root = await testdir();
      const src = path.join(root, 'src');
      for (const [f, d] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(src, M, f)), { recursive: true });
        await writeFile(path.join(src, M, f), d);
      }
      await writeFile(
        path.join(src, M, 'PACK.json'),
        JSON.stringify({ name: M, version: '0.1.0', files: Object.fromEntries(Object.entries(files).map(([f, d]) => [f, sha256(d)])) }),
      );
      await chmod(path.join(src, M, 'main.ncl'), 0o600);
      const tarFile = path.join(root, `p-${format}.tar`);
      const r = await gnuTar([`--format=${format}`, '--owner=0', '--group=0', '--numeric-owner', '-cf', tarFile, '-C', src, M], root);
      assert.is(r.code, 0, r.stderr);
      const dest = path.join(root, 'out');
      const result = await extractPack({ tarFile, module: M, dest });
      assert.equal(Object.keys(result.files).sort(), Object.keys(files).sort(), format);
      assert.equal(await hashFolder({ dir: dest }), result.files);
    }
  });
}
gnu.run();

const proto = suite('archive: a file named __proto__ is a file like any other');

proto('a pack with an unlisted __proto__ entry (top level or nested) is INTEGRITY_MISMATCH, nothing extracted', async () => {
  for (const rel of ['__proto__', 'lib/__proto__']) {
    const { tarFile, dest } = await goodPack({ extra: [{ path: `${M}/${rel}`, data: 'UNLISTED PAYLOAD' }] });
    assert.is(await codeOf(extractPack({ tarFile, module: M, dest })), 'INTEGRITY_MISMATCH', rel);
    assert.equal(await siblings(dest), ['.keep'], rel);
  }
});

proto('a __proto__ file added to an extracted folder shows up as extra', async () => {
  const { tarFile, dest } = await goodPack();
  const result = await extractPack({ tarFile, module: M, dest });
  await writeFile(path.join(dest, '__proto__'), 'added later');
  const actual = await hashFolder({ dir: dest });
  assert.ok(Object.keys(actual).includes('__proto__'));
  assert.equal(compareDigests(result.files, actual), { missing: [], extra: ['__proto__'], changed: [] });
});

proto('a module with a real __proto__ file packs it into PACK.json and extracts it', async () => {
  const files = [{ rel: '__proto__', data: Buffer.from('mine'), mode: 0o644 }, { rel: 'main.ncl', data: Buffer.from('{}'), mode: 0o644 }];
  const root = await testdir({ 'vendor/.keep': '' });
  const tarFile = path.join(root, 'p.tar');
  await writeFile(tarFile, packTar(files, { module: M, version: '1.0.0' }));
  const result = await extractPack({ tarFile, module: M, dest: path.join(root, 'vendor', M) });
  assert.equal(Object.keys(result.files), ['__proto__', 'main.ncl']);
  assert.is(result.files['__proto__'], sha256('mine'));
  // PACK.json lists it too, and a lie about it is caught.
  const manifest = parsePackManifest(await readFile(path.join(root, 'vendor', M, 'PACK.json'), 'utf8'), 'PACK.json');
  assert.ok(Object.hasOwn(manifest.files, '__proto__'));
  const lying = await goodPack({ files: { ['__proto__']: 'real' }, manifestFiles: { ['__proto__']: sha256('other') } }); // computed keys: own properties, not the prototype;
  assert.is(await codeOf(extractPack({ tarFile: lying.tarFile, module: M, dest: lying.dest })), 'INTEGRITY_MISMATCH');
});

proto.run();
