/**
 * Atomic writes (temp file + rename) must not change what the file is: its mode stays, and a
 * symlinked file stays a symlink (the write goes to where it leads).
 */
import { chmod, lstat, mkdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileAtomic, writeFileAtomicSync } from '../../lib/fs/atomic.ts';
import { installProvider } from '../../lib/infra/install.ts';
import { testdir } from '../helpers/testdir.ts';
import { example } from '../helpers/example.ts';

const test = suite('atomic writes keep the file what it was');

for (
  const [name, write] of [
    ['writeFileAtomic', writeFileAtomic],
    ['writeFileAtomicSync', async (file: string, data: string) => writeFileAtomicSync(file, data)],
  ] as const
) {
  test(`${name}: an atomic write keeps an existing file's mode`, async () => {
    const dir = await testdir({ 'secret.toml': 'a = 1\n' });
    const file = path.join(dir, 'secret.toml');
    await chmod(file, 0o600);
    await write(file, 'a = 2\n');
    assert.is((await stat(file)).mode & 0o777, 0o600);
    assert.is(await readFile(file, 'utf8'), 'a = 2\n');
  });

  test(`${name}: an atomic write through a symlink keeps the symlink and writes where it leads`, async () => {
    const dir = await testdir({ 'shared/records.yaml': 'old\n', 'infra/records.yaml': { symlink: '../shared/records.yaml' } });
    await write(path.join(dir, 'infra/records.yaml'), 'new\n');
    assert.ok((await lstat(path.join(dir, 'infra/records.yaml'))).isSymbolicLink());
    assert.is(await readlink(path.join(dir, 'infra/records.yaml')), '../shared/records.yaml');
    assert.is(await readFile(path.join(dir, 'shared/records.yaml'), 'utf8'), 'new\n');
  });
}

test('a dangling symlink is written through: the file appears where the link leads', async () => {
  const dir = await testdir({ 'a/link.yaml': { symlink: '../b/target.yaml' } });
  await mkdir(path.join(dir, 'b'));
  await writeFileAtomic(path.join(dir, 'a/link.yaml'), 'x\n');
  assert.ok((await lstat(path.join(dir, 'a/link.yaml'))).isSymbolicLink());
  assert.is(await readFile(path.join(dir, 'b/target.yaml'), 'utf8'), 'x\n');
});

test('install keeps a 0600 manifest.toml 0600 and a symlinked providers.manifest.yaml a symlink', async () => {
  const t = await example();
  await chmod(t.toml, 0o600);
  await mkdir(path.join(t.root, 'shared'));
  await writeFile(path.join(t.root, 'shared/providers.manifest.yaml'), await readFile(t.yaml));
  await rm(t.yaml);
  await symlink('../../../shared/providers.manifest.yaml', t.yaml);
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.is((await stat(t.toml)).mode & 0o777, 0o600);
  assert.ok((await lstat(t.yaml)).isSymbolicLink());
  assert.match(await readFile(path.join(t.root, 'shared/providers.manifest.yaml'), 'utf8'), 'aws_prov');
});

test.run();
