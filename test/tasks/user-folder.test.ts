import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gulp } from '../helpers/run.ts';
import { exampleTree, PROJECT_ROOT, testdir } from '../helpers/testdir.ts';

/** gulp started from another folder, as `npx gulp --gulpfile …` from a user's shell does. */
const from = (shell: string, args: string[]) =>
  gulp(['--gulpfile', path.join(PROJECT_ROOT, 'gulpfile.ts'), '--preload', path.join(PROJECT_ROOT, 'tools/gulp-preload.mjs'), ...args], { cwd: shell });

const test = suite("relative paths are the user's folder, not the gulpfile's");

test('--base and --output relative to the folder gulp was started in (INIT_CWD), not the gulpfile folder', async () => {
  const root = await exampleTree();
  const shell = path.dirname(root);
  const run = await from(shell, ['pack:provider', '--provider', 'aws', '--base', path.basename(root), '--output', 'out-rel', '--silent']);
  assert.is(run.code, 0, run.stderr);
  assert.ok(existsSync(path.join(shell, 'out-rel', 'aws_prov_0.2.0.tar')), run.stdout);
});

test('a relative --base that does not exist there is ROOT_NOT_FOUND naming the resolved folder', async () => {
  const shell = await testdir();
  const run = await from(shell, ['providers:list', '--base', 'nowhere']);
  assert.is.not(run.code, 0);
  assert.match(run.stderr, 'ROOT_NOT_FOUND');
  assert.match(run.stderr, path.join(shell, 'nowhere'));
});

test.run();
