/**
 * Committing an infra edit: a failure part-way puts back every change already made, a link
 * whose folder emptied included.
 */
import { lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execute } from '../../../lib/infra/edit/commit.ts';
import { codeOf } from '../../helpers/codes.ts';
import { testdir } from '../../helpers/testdir.ts';

const test = suite('infra edit: commit');

test('a failed write after an unlink that emptied its folder puts the link back, folder and all', async () => {
  const infra = await testdir({ 'manifest.toml': '' });
  const modules = path.join(infra, '.nickel-modules');
  await mkdir(modules);
  await symlink('../elsewhere', path.join(modules, 'aws_prov'));
  const failing = path.join(infra, 'manifest.toml', 'not-a-folder', 'x');
  const code = await codeOf(execute(
    [
      { kind: 'unlink', path: path.join(modules, 'aws_prov'), target: '../elsewhere' },
      { kind: 'rmdir-if-empty', dir: modules },
      { kind: 'write', file: failing, text: 'x', previous: { text: '', exists: false } },
    ],
    infra,
    infra,
  ));
  assert.ok(code !== 'no error', code);
  assert.ok((await lstat(path.join(modules, 'aws_prov'))).isSymbolicLink());
  assert.is(await readlink(path.join(modules, 'aws_prov')), '../elsewhere');
});

test.run();
