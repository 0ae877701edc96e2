import { spawnSync } from 'node:child_process';
import { rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { gulp, run } from '../helpers/run.ts';
import { exampleTree, PROJECT_ROOT } from '../helpers/testdir.ts';

/** SPEC: every task takes --format and prints one document in it on stdout, success or failure. */
const test = suite('one output document, every task, every outcome');

const OFF = { 'config/config.toml': '[nickel]\nexport = "off"\n' };
type Doc = { ok?: boolean; problems?: { code: string }[]; [key: string]: unknown };

/** stdout is exactly one JSON document. */
function oneJson(stdout: string): Doc {
  try {
    return JSON.parse(stdout) as Doc;
  } catch (error) {
    throw new Error(`stdout is not one JSON document (${(error as Error).message}):\n${stdout}`);
  }
}

/** stdout is exactly one YAML document, and not JSON. */
function oneYaml(stdout: string): Doc {
  const docs = parseAllDocuments(stdout);
  assert.is(Array.isArray(docs) ? docs.length : 1, 1, `one YAML document:\n${stdout}`);
  assert.not.ok(stdout.trimStart().startsWith('{'), `YAML, not JSON:\n${stdout}`);
  return parseYaml(stdout) as Doc;
}

test('every task lists --format in gulp --tasks', async () => {
  const r = await gulp(['--tasks', '--depth', '1']);
  assert.is(r.code, 0, r.stderr);
  // `├── pack:list   description` then one `│   --flag   …description` line per flag.
  const blocks = r.stdout.split(/\n(?=[├└]── )/).slice(1);
  assert.ok(blocks.length > 15, r.stdout);
  const without = blocks.filter((b) => !/^\S*\s+--format\b/m.test(b.split('\n').slice(1).join('\n'))).map((b) => b.split(/\s+/)[1]);
  assert.equal(without, []);
});

test('install, remove, sync, vendor, keygen take --format json and print one document', async () => {
  const root = await exampleTree(OFF);
  const base = ['--base', root, '--silent', '--format', 'json'];
  const steps: [string, ...string[]][] = [
    ['providers:install', '--provider', 'aws', '--infra', 'wuji'],
    ['providers:sync', '--infra', 'wuji'],
    ['pack:keygen'],
    ['pack:provider', '--provider', 'aws'],
    ['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '^0.2'],
    ['providers:remove', '--provider', 'aws', '--infra', 'wuji'],
  ];
  for (const [task, ...flags] of steps) {
    const r = await gulp([task, ...flags, ...base]);
    assert.is(r.code, 0, `${task}: ${r.stderr}`);
    const doc = oneJson(r.stdout);
    if (!Array.isArray(doc)) assert.is(doc.ok, true, task);
  }
});

test('pack:providers --format json with one failing provider: one document, the packed ones and the problem', async () => {
  const root = await exampleTree({ ...OFF, 'extensions/providers/broken/nickel/manifest.toml': '[package]\nname = "broken_prov"\n' });
  const r = await gulp(['pack:providers', '--base', root, '--silent', '--format', 'json']);
  assert.is(r.code, 1);
  const doc = oneJson(r.stdout);
  assert.is(doc.ok, false);
  assert.equal(doc.problems!.map((p) => p.code), ['VERSION_MISSING']);
  assert.equal((doc.results as { name: string }[]).map((p) => p.name).sort(), ['aws_prov', 'local_prov', 'upcloud_prov']);
  assert.match(r.stderr, 'error VERSION_MISSING');
});

test('failures in --format yaml are YAML: a task error, pack:verify, an unknown flag', async () => {
  const root = await exampleTree(OFF);
  const notFound = await gulp(['providers:install', '--provider', 'nope', '--infra', 'wuji', '--base', root, '--silent', '--format', 'yaml']);
  assert.is(notFound.code, 1);
  assert.equal(oneYaml(notFound.stdout).problems!.map((p) => p.code), ['PROVIDER_NOT_FOUND']);

  const packed = await gulp(['pack:provider', '--provider', 'aws', '--base', root, '--silent']);
  assert.is(packed.code, 0, packed.stderr);
  await rm(path.join(root, 'distribution/packages/aws_prov_0.2.0.tar'));
  const verify = await gulp(['pack:verify', '--base', root, '--silent', '--format', 'yaml']);
  assert.is(verify.code, 1);
  const doc = oneYaml(verify.stdout);
  assert.is(doc.ok, false);
  assert.equal(doc.problems!.map((p) => p.code), ['PACK_NOT_FOUND']);

  const flag = await gulp(['providers:list', '--bogus', '--base', root, '--silent', '--format', 'yaml']);
  assert.is(flag.code, 1);
  assert.equal(oneYaml(flag.stdout).problems!.map((p) => p.code), ['INVALID_OPTION']);
});

test('providers:validate --format yaml is plain YAML: no anchors or aliases for a problem listed twice', async () => {
  const root = await exampleTree(OFF);
  const install = await gulp(['providers:install', '--provider', 'aws', '--infra', 'wuji', '--base', root, '--silent']);
  assert.is(install.code, 0, install.stderr);
  const link = path.join(root, 'workspace/infra/wuji/.nickel-modules/aws_prov');
  await rm(link);
  await symlink('../../../../extensions/providers/gone/nickel', link);
  const r = await gulp(['providers:validate', '--base', root, '--silent', '--format', 'yaml']);
  assert.is(r.code, 1);
  assert.not.match(r.stdout, /[&*]a\d/);
  const doc = oneYaml(r.stdout);
  assert.is(doc.ok, false);
  assert.ok(doc.problems!.some((p) => p.code === 'LINK_DANGLING'));
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/** The command under a pseudo-terminal (util-linux `script`), stdout and stderr together. */
function underTerminal(command: string, env: Record<string, string | undefined>) {
  return run('script', ['-qec', command, '/dev/null'], { env: { PROVISIONING: '', PROVISIONING_CONFIG: '', CI: undefined, FORCE_COLOR: undefined, TERM: 'xterm', ...env } });
}

test("NO_COLOR under a terminal uncolours gulp-cli's own lines too (timestamps, task names)", async () => {
  if (!hasScript) return console.log('  (skipped: no `script` to make a terminal)');
  const root = await exampleTree(OFF);
  const command = `node ${path.join(PROJECT_ROOT, 'node_modules/gulp-cli/bin/gulp.js')} providers:list --base ${root}`;
  const coloured = await underTerminal(command, { NO_COLOR: undefined });
  assert.match(coloured.stdout, '\x1b[', 'a terminal gets colours (so the test can see them go)');
  const plain = await underTerminal(command, { NO_COLOR: '1' });
  assert.match(plain.stdout, "Starting 'providers:list'");
  assert.not.match(plain.stdout, '\x1b[');
});

test.run();
