import { appendFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Check, runDoctor } from '../../lib/doctor/checks.ts';
import { gulp, run } from '../helpers/run.ts';
import { exampleTree, PROJECT_ROOT } from '../helpers/testdir.ts';

/** The seed's troubleshooting checklist, run (lib/doctor), and `doctor` through gulp and the provisioning command. */
const test = suite('doctor');
const FIXTURE_BIN = path.join(PROJECT_ROOT, 'test/fixtures/bin');
const byName = (checks: Check[], name: string) => checks.find((c) => c.check === name);

test('a healthy tree: every check ok, the infra validated, nothing written', async () => {
  const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "off"\n' });
  const report = await runDoctor({ base: root, env: {} });
  assert.ok(report.ok, JSON.stringify(report, null, 2));
  assert.equal(report.checks.map((c) => c.check), ['root', 'config', 'nickel', 'kcl', 'providers', 'signing', 'folders', 'infra:wuji']);
  assert.match(byName(report.checks, 'root')!.detail, '(from --base)');
});

test('no root: ROOT_NOT_FOUND says to set PROVISIONING; following it, doctor passes', async () => {
  const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "off"\n' });
  // Started from a folder that is no provisioning root, with nothing set.
  const doctor = (env: Record<string, string>) =>
    run('node', [path.join(PROJECT_ROOT, 'bin/provisioning.mjs'), 'doctor', '--format', 'json'], {
      cwd: path.dirname(root),
      env: { PROVISIONING: '', PROVISIONING_CONFIG: '', INIT_CWD: '', ...env },
    });
  const lost = await doctor({});
  assert.is(lost.code, 1);
  const doc = JSON.parse(lost.stdout) as { ok: boolean; checks: Check[] };
  assert.is(doc.ok, false);
  const problem = byName(doc.checks, 'root')!.problems[0]!;
  assert.is(problem.code, 'ROOT_NOT_FOUND');
  assert.match(problem.hint ?? '', 'export PROVISIONING=');
  const found = await doctor({ PROVISIONING: root });
  assert.is(found.code, 0, found.stdout);
  assert.match(byName((JSON.parse(found.stdout) as { checks: Check[] }).checks, 'root')!.detail, '(from $PROVISIONING)');
});

test('config: an unknown key is a warning naming it; an unknown placeholder fails the config check', async () => {
  const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "off"\n[distribution]\npack_paht = "x"\n' });
  const typo = await runDoctor({ base: root, env: {} });
  const config = byName(typo.checks, 'config')!;
  assert.is(config.status, 'warn');
  assert.match(config.warnings[0]!.message, 'distribution.pack_paht');
  const bad = await exampleTree({ 'config/config.toml': '[distribution]\npack_path = "{{paths.nowhere}}/packs"\n' });
  const report = await runDoctor({ base: bad, env: {} });
  assert.is(report.ok, false);
  assert.is(byName(report.checks, 'config')!.problems[0]!.code, 'CONFIG_INVALID');
});

test('nickel: required and missing fails with the fix; found, its version is shown', async () => {
  const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "required"\nbin = "nickel-not-here"\n' });
  const missing = await runDoctor({ base: root, env: {} });
  assert.is(byName(missing.checks, 'nickel')!.status, 'fail');
  assert.match(byName(missing.checks, 'nickel')!.problems[0]!.hint ?? '', 'install nickel');
  const found = await exampleTree({ 'config/config.toml': `[nickel]\nexport = "required"\nbin = "${path.join(FIXTURE_BIN, 'nickel')}"\n` });
  const ok = await runDoctor({ base: found, env: {} });
  assert.is(byName(ok.checks, 'nickel')!.status, 'ok');
  assert.match(byName(ok.checks, 'nickel')!.detail, '1.9.0');
});

test('signing: a configured key that is not there fails; an infra problem carries its own fix', async () => {
  const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "off"\n[distribution.signing]\nsecret_key = "config/keys/nope.key"\n' });
  const install = await gulp(['providers:install', '--provider', 'aws', '--infra', 'wuji', '--base', root, '--silent']);
  assert.is(install.code, 0, install.stderr);
  await rm(path.join(root, 'workspace/infra/wuji/.nickel-modules/aws_prov'));
  await symlink('../../../../extensions/providers/gone/nickel', path.join(root, 'workspace/infra/wuji/.nickel-modules/aws_prov'));
  const report = await runDoctor({ base: root, env: {} });
  assert.is(byName(report.checks, 'signing')!.problems[0]!.code, 'KEY_INVALID');
  const infra = byName(report.checks, 'infra:wuji')!;
  assert.is(infra.status, 'fail');
  assert.match(infra.problems[0]!.hint ?? '', 'npx gulp providers:sync --infra wuji --force');
});

test('provisioning doctor --format json prints one document and exits 1 on a failed check', async () => {
  const root = await exampleTree();
  await appendFile(path.join(root, 'config/config.toml'), '\n[nickel]\nexport = "required"\nbin = "nickel-not-here"\n');
  const r = await run('node', [path.join(PROJECT_ROOT, 'bin/provisioning.mjs'), 'doctor', '--base', root, '--format', 'json'], {
    env: { PROVISIONING: '', PROVISIONING_CONFIG: '' },
  });
  assert.is(r.code, 1);
  const doc = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  assert.is(doc.ok, false);
  assert.is(byName(doc.checks, 'nickel')!.status, 'fail');
});

test.run();
