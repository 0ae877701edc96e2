import { spawnSync } from 'node:child_process';
import { appendFile, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gulp, run, type RunResult } from '../helpers/run.ts';
import { exampleTree } from '../helpers/testdir.ts';

/**
 * A hint names a command; following it must work. Each test makes the problem, reads the hint
 * from the task's own JSON, runs the command it names (as written, on the same tree) and checks
 * that the problem is gone.
 */
const test = suite('hints that work when followed');
const OFF = { 'config/config.toml': '[nickel]\nexport = "off"\n' };
type Problem = { code: string; message: string; hint?: string };

async function problemsOf(r: RunResult): Promise<Problem[]> {
  return ((JSON.parse(r.stdout) as { problems?: Problem[] }).problems ?? []);
}

/** The `npx gulp …` command in a hint, run on `root`. */
async function follow(hint: string | undefined, root: string): Promise<RunResult> {
  const m = /`npx gulp ([^`]+)`/.exec(hint ?? '');
  assert.ok(m, `the hint names a command: ${hint}`);
  return gulp([...m![1]!.split(' '), '--base', root, '--silent']);
}

const validate = (root: string) => gulp(['providers:validate', '--base', root, '--silent', '--format', 'json']);

async function installedAws(): Promise<{ root: string; wuji: string }> {
  const root = await exampleTree(OFF);
  const r = await gulp(['providers:install', '--provider', 'aws', '--infra', 'wuji', '--base', root, '--silent']);
  assert.is(r.code, 0, r.stderr);
  return { root, wuji: path.join(root, 'workspace/infra/wuji') };
}

async function followUntilValid(root: string, code: string): Promise<void> {
  const before = await problemsOf(await validate(root));
  const problem = before.find((p) => p.code === code);
  assert.ok(problem, `${code} in ${JSON.stringify(before)}`);
  const followed = await follow(problem!.hint, root);
  assert.is(followed.code, 0, `${problem!.hint}: ${followed.stderr}`);
  const after = await validate(root);
  assert.is(after.code, 0, after.stdout);
}

test('RECORD_MISMATCH (a hand-edited dependency line): the hint rewrites it from the record', async () => {
  const { root, wuji } = await installedAws();
  const toml = path.join(wuji, 'manifest.toml');
  await writeFile(toml, (await readFile(toml, 'utf8')).replace('"./.nickel-modules/aws_prov"', '"./elsewhere/aws_prov"'));
  await followUntilValid(root, 'RECORD_MISMATCH');
});

test('LINK_DANGLING (a link pointing where nothing is): the hint rebuilds it', async () => {
  const { root, wuji } = await installedAws();
  const link = path.join(wuji, '.nickel-modules/aws_prov');
  await rm(link);
  await symlink('../../../../extensions/providers/gone/nickel', link);
  await followUntilValid(root, 'LINK_DANGLING');
});

test('LINK_DANGLING (the provider itself is gone): the hint takes it out of the infra', async () => {
  const { root } = await installedAws();
  await rm(path.join(root, 'extensions/providers/aws'), { recursive: true });
  const before = await problemsOf(await validate(root));
  const problem = before.find((p) => p.code === 'LINK_DANGLING');
  assert.ok(problem, JSON.stringify(before));
  const followed = await follow(problem!.hint, root);
  assert.is(followed.code, 0, `${problem!.hint}: ${followed.stderr}`);
  const after = await validate(root);
  assert.is(after.code, 0, after.stdout);
});

test('LINK_MISSING (a fresh clone: links are not in git): the hint makes it', async () => {
  const { root, wuji } = await installedAws();
  await rm(path.join(wuji, '.nickel-modules/aws_prov'));
  await followUntilValid(root, 'LINK_MISSING');
});

test('PACK_EXISTS names the files that changed, not PACK.json; its --force hint replaces the pack', async () => {
  const root = await exampleTree(OFF);
  const pack = () => gulp(['pack:provider', '--provider', 'aws', '--base', root, '--silent', '--format', 'json']);
  assert.is((await pack()).code, 0);
  await appendFile(path.join(root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '\n# changed\n');
  const again = await pack();
  assert.is(again.code, 1);
  const [problem] = await problemsOf(again);
  assert.is(problem!.code, 'PACK_EXISTS');
  assert.match(problem!.message, '1 file differs: defaults_aws.ncl)');
  assert.not.match(problem!.message, 'PACK.json');
  const forced = await follow(problem!.hint, root);
  assert.is(forced.code, 0, forced.stderr);
});

const hasMinisign = spawnSync('minisign', ['-v']).status !== null && spawnSync('minisign', ['-v']).error === undefined;

test('a password-protected secret key: the message names its file, and the hint removes the password', async () => {
  if (!hasMinisign) return console.log('  (skipped: minisign is not installed)');
  const root = await exampleTree(OFF);
  const key = path.join(root, 'config/keys/provisioning.key');
  const made = await run('minisign', ['-G', '-p', path.join(root, 'config/keys/provisioning.pub'), '-s', key], { input: 'secret\nsecret\n' });
  assert.is(made.code, 0, made.stderr);
  await appendFile(path.join(root, 'config/config.toml'), '\n[distribution.signing]\nsecret_key = "config/keys/provisioning.key"\n');
  const signed = await gulp(['pack:provider', '--provider', 'aws', '--sign', '--base', root, '--silent', '--format', 'json']);
  assert.is(signed.code, 1);
  const [problem] = await problemsOf(signed);
  assert.is(problem!.code, 'KEY_INVALID');
  assert.match(problem!.message, key);
  assert.not.match(problem!.message + (problem!.hint ?? ''), 'secretKeyText');
  const command = /`(minisign [^`]+)`/.exec(problem!.hint ?? '')?.[1];
  assert.ok(command, problem!.hint);
  const [bin, ...args] = command!.split(' ');
  const removed = await run(bin!, args, { input: 'secret\n' });
  assert.is(removed.code, 0, removed.stderr);
  const again = await gulp(['pack:provider', '--provider', 'aws', '--sign', '--base', root, '--silent']);
  assert.is(again.code, 0, again.stderr);
});

test.run();
