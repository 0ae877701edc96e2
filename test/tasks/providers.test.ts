import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { exampleTree } from '../helpers/testdir.ts';

/** Through real `npx gulp` processes, as a user runs them (each costs about a second). */
const test = suite('providers tasks through gulp');

test('three providers:install processes started together on one infra lose no entry', async () => {
  const root = await exampleTree();
  const runs = await Promise.all(['upcloud', 'aws', 'local'].map((provider) => gulp(['providers:install', '--provider', provider, '--infra', 'wuji', '--base', root])));
  for (const run of runs) assert.is(run.code, 0, run.stderr);
  const wuji = path.join(root, 'workspace/infra/wuji');
  const toml = await readFile(path.join(wuji, 'manifest.toml'), 'utf8');
  const yaml = await readFile(path.join(wuji, 'providers.manifest.yaml'), 'utf8');
  for (const provider of ['upcloud', 'aws', 'local']) {
    assert.match(toml, `${provider}_prov = { path = "./.nickel-modules/${provider}_prov" }`);
    assert.match(yaml, `module: ${provider}_prov`);
    assert.is(await readlink(path.join(wuji, `.nickel-modules/${provider}_prov`)), `../../../../extensions/providers/${provider}/nickel`);
  }
});

test('providers:list --format json --silent prints pure JSON on stdout', async () => {
  const root = await exampleTree();
  const run = await gulp(['providers:list', '--format', 'json', '--silent', '--base', root]);
  assert.is(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as { name: string; module: string }[];
  assert.equal(rows.map((r) => r.module), ['aws_prov', 'local_prov', 'upcloud_prov']);
});

test('gulp --tasks documents every providers task with its description and flags', async () => {
  const run = await gulp(['--tasks']);
  assert.is(run.code, 0, run.stderr);
  const flags: Record<string, string[]> = {
    'providers:list': ['--format', '--lang', '--base'],
    'providers:info': ['--provider', '--base'],
    'providers:install': ['--provider', '--infra', '--ver', '--force', '--lang', '--base'],
    'providers:remove': ['--provider', '--infra', '--force', '--base'],
    'providers:installed': ['--infra', '--format', '--base'],
    'providers:validate': ['--infra', '--production', '--format', '--base'],
    'providers:sync': ['--infra', '--base'],
  };
  const lines = run.stdout.split('\n');
  for (const [task, expected] of Object.entries(flags)) {
    const at = lines.findIndex((l) => new RegExp(`\\s${task}\\s+\\S`).test(l));
    assert.ok(at !== -1, `${task} is listed with a description`);
    // The task's flag lines follow it (`│   --flag   …text`), up to the next task.
    const end = lines.findIndex((l, i) => i > at && !/^[\s│]*--[a-z]/.test(l));
    const block = lines.slice(at + 1, end === -1 ? undefined : end).join('\n');
    for (const flag of expected) assert.match(block, flag, `${task} documents ${flag}`);
  }
});

test('a failing task exits non-zero, prints its code on stderr and changes nothing', async () => {
  const root = await exampleTree();
  const before = await snapshot(root);
  const run = await gulp(['providers:install', '--provider', '../x', '--infra', 'wuji', '--base', root]);
  assert.is.not(run.code, 0);
  assert.match(run.stderr, 'INVALID_NAME');
  assert.equal(await snapshot(root), before);
});

test('providers:validate --format json on a broken infra: exit 1, problems as JSON on stdout', async () => {
  const root = await exampleTree({ 'workspace/infra/wuji/.nickel-modules/aws_prov': { symlink: '../../../../extensions/providers/nope/nickel' } });
  const run = await gulp(['providers:validate', '--format', 'json', '--silent', '--base', root]);
  assert.is.not(run.code, 0);
  const out = JSON.parse(run.stdout) as { ok: boolean; problems: { code: string }[]; infras: { infra: string }[] };
  assert.is(out.ok, false);
  assert.equal(out.problems.map((p) => p.code), ['RECORD_MISMATCH']);
  assert.equal(out.infras.map((i) => i.infra), ['wuji'], 'the same report as on success, with ok: false');
  assert.match(run.stderr, 'RECORD_MISMATCH');
});

test.run();
