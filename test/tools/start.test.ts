import { cp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../helpers/run.ts';
import { PROJECT_ROOT, testdir } from '../helpers/testdir.ts';

/**
 * tools/build.mjs and tools/start.mjs: Node runs the gulpfile from a JavaScript build, and a
 * changed source is what the next run uses. Each test works on its own copy of the project
 * (node_modules linked), so its builds and edits never touch the checkout's.
 */
const test = suite('start-up: the build');

async function projectCopy(): Promise<string> {
  const dir = await testdir();
  const skip = new Set(['node_modules', '.build', '.git', 'test', 'bench']);
  for (const entry of await readdir(PROJECT_ROOT)) {
    if (!skip.has(entry)) await cp(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true, verbatimSymlinks: true });
  }
  await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const gulpIn = (dir: string, args: string[], env: Record<string, string> = {}) =>
  run('node', [path.join(dir, 'node_modules/gulp-cli/bin/gulp.js'), ...args], { cwd: dir, env: { PROVISIONING: '', PROVISIONING_CONFIG: '', ...env } });

const builtDir = async (dir: string) => (JSON.parse(await readFile(path.join(dir, '.build/manifest.json'), 'utf8')) as { dir: string }).dir;

test('a project without a build builds itself on the first run; an edited source is what the next run uses', async () => {
  const dir = await projectCopy();
  const first = await gulpIn(dir, ['--tasks']);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, 'List every discovered provider');
  const before = await builtDir(dir);

  // An edit in place, of the same size, as an editor saves it: the next run rebuilds.
  const file = path.join(dir, 'tasks/providers.ts');
  const source = await readFile(file, 'utf8');
  await writeFile(file, source.replace('List every discovered provider', 'Show every discovered provider'));
  const second = await gulpIn(dir, ['--tasks']);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, 'Show every discovered provider');
  assert.not.match(second.stdout, 'List every discovered provider');
  assert.is.not(await builtDir(dir), before);

  // A change deep in lib/ (not a task module) is seen too.
  const format = path.join(dir, 'lib/output/format.ts');
  await writeFile(
    format,
    (await readFile(format, 'utf8')).replace('[line(columns.map((c) => c.header.toUpperCase()))', "['EDITED', line(columns.map((c) => c.header.toUpperCase()))"),
  );
  const listed = await gulpIn(dir, ['providers:list', '--base', path.join(dir, 'examples/provisioning'), '--silent']);
  assert.is(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^EDITED\n/);

  // Unchanged sources: the build is used as it is.
  const built = await builtDir(dir);
  const third = await gulpIn(dir, ['--tasks']);
  assert.is(third.code, 0, third.stderr);
  assert.is(await builtDir(dir), built);
});

test('PROVISIONING_NO_BUILD=1 runs the TypeScript sources through tsx, with the same tasks', async () => {
  const dir = await projectCopy();
  const plain = await gulpIn(dir, ['--tasks-simple'], { PROVISIONING_NO_BUILD: '1' });
  assert.is(plain.code, 0, plain.stderr);
  const built = await gulpIn(dir, ['--tasks-simple']);
  assert.is(built.code, 0, built.stderr);
  assert.is(built.stdout, plain.stdout);
  assert.match(plain.stdout, 'pack:providers');
});

test('the built gulpfile holds no implementation: `gulp --tasks` loads only task names, descriptions and flags', async () => {
  await run('node', [path.join(PROJECT_ROOT, 'tools/build.mjs'), '--quiet'], { cwd: PROJECT_ROOT });
  const dir = path.join(PROJECT_ROOT, '.build', await builtDir(PROJECT_ROOT));
  const gulpfile = await readFile(path.join(dir, 'gulpfile.cjs'), 'utf8');
  // esbuild marks each bundled source with a `// <path>` comment: only the gulpfile and the proxies' runtime.
  const sources = [...gulpfile.matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1]!).filter((s) => !s.startsWith('lazy-tasks:'));
  assert.equal([...new Set(sources)].sort(), ['gulpfile.ts', 'tools/lazy-task.mjs']);
  assert.match(gulpfile, '"displayName": "pack:providers"');
});

test.run();
