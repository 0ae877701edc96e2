/**
 * pack:test on trees that build each failure a release engineer needs caught before publishing:
 * an import that leaves the module, one that resolves only through a declared dependency (packed,
 * not packed), a tampered tar, an export that differs once extracted. Packs are real (the library
 * path the tasks use), extracted for real; exports run through the nickel stand-in, and through a
 * real `nickel` too when one is on PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import { packSettings, planner } from '../../lib/pack/from-config.ts';
import { coreTarget, packModule } from '../../lib/pack/index.ts';
import { type TestedPack, testPacks } from '../../lib/pack-test/test-packs.ts';
import { verifyPacks } from '../../lib/registry/verify.ts';
import { codeOf } from '../helpers/codes.ts';
import { nickelBinaries, packOne, providerFiles, STAND_IN } from '../helpers/pack-tree.ts';
import { gulp, run } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { exampleTree, PROJECT_ROOT, testdir, type Tree } from '../helpers/testdir.ts';

/** A tree whose nickel is `bin`, a core module, and `tree` (providers). */
async function tree(bin: string, files: Tree): Promise<string> {
  return testdir({
    'config/config.toml': `[nickel]\nbin = ${JSON.stringify(bin)}\nexport = "auto"\n`,
    'extensions/providers/.keep': '',
    'nickel/manifest.toml': '[package]\nname = "provisioning_core"\nversion = "0.1.0"\n',
    'nickel/defaults.ncl': '{ zone = "z1" }\n',
    ...files,
  });
}

async function packCore(root: string): Promise<void> {
  const config = await loadConfig({ root });
  const target = await coreTarget(config);
  await packModule({ ...packSettings(config), target, plan: planner(config).planFor(target) });
}

async function tested(root: string, options: { module?: string; range?: string } = {}) {
  return testPacks({ config: await loadConfig({ root }), ...options });
}

const byModule = (packs: TestedPack[], module: string) => packs.find((p) => p.module === module)!;

/** A provider `name` whose server file imports `spec` (a path from the nickel/ folder) and reads `zone` from it. */
function importing(name: string, spec: string, manifestExtra = ''): Tree {
  const files = providerFiles(name, '1.0.0', manifestExtra);
  files[`extensions/providers/${name}/nickel/server_${name}.ncl`] = `let c = import "${spec}" in\n{ provider = "${name}", zone = c.zone }\n`;
  return files;
}

/** Two packs, with the stand-in's exports: gcp imports a file two folders up (it escapes), aws is clean. */
async function escapingAndClean(): Promise<string> {
  const root = await tree(STAND_IN, { ...importing('gcp', '../../shared/common.ncl'), 'extensions/providers/shared/common.ncl': '{ zone = "z9" }\n', ...providerFiles('aws') });
  await packOne(root, 'gcp');
  await packOne(root, 'aws');
  return root;
}

const CORE_DEP = '\n[dependencies]\nprovisioning_core = { path = "../../../../nickel" }\n';

for (const { label, bin } of nickelBinaries()) {
  const t = suite(`pack:test (${label})`);

  t("the example tree: every pack passes, the core laid out where the providers' dependency path points, the tree unchanged", async () => {
    const root = await exampleTree({ 'config/config.toml': `[nickel]\nbin = ${JSON.stringify(bin)}\n` });
    await packCore(root);
    for (const p of ['aws', 'local', 'upcloud']) await packOne(root, p);
    const before = await snapshot(root);
    const result = await tested(root);
    assert.equal(result.problems, []);
    assert.ok(result.ok);
    assert.equal(result.packs.map((p) => p.module), ['aws_prov', 'local_prov', 'provisioning_core', 'upcloud_prov']);
    const aws = byModule(result.packs, 'aws_prov');
    assert.equal(aws.checks, { integrity: 'ok', contents: 'ok', imports: 'ok', export: 'ok' });
    assert.equal(aws.dependencies, ['provisioning_core 0.0.1 at ../../../../nickel']);
    assert.equal(await snapshot(root), before, 'nothing written in the tree');
  });

  t('an import that leaves the module is PACK_IMPORT_ESCAPES at file:line:column, and its export fails once extracted', async () => {
    // It validates and packs fine in the tree: the file is there, two folders up.
    const root = await tree(bin, { ...importing('gcp', '../../shared/common.ncl'), 'extensions/providers/shared/common.ncl': '{ zone = "z9" }\n' });
    await packOne(root, 'gcp');
    const result = await tested(root);
    assert.not.ok(result.ok);
    const gcp = byModule(result.packs, 'gcp_prov');
    assert.is(gcp.checks.imports, 'failed');
    const escape = gcp.problems.find((p) => p.code === 'PACK_IMPORT_ESCAPES')!;
    assert.ok(escape, JSON.stringify(gcp.problems));
    assert.equal([escape.file, escape.line, escape.column], ['gcp_prov/server_gcp.ncl', 1, 9]);
    assert.match(escape.message, 'import "../../shared/common.ncl"');
    assert.is(gcp.checks.export, 'failed');
    const failed = gcp.problems.find((p) => p.code === 'EXPORT_FAILED')!;
    assert.ok(failed, JSON.stringify(gcp.problems));
    assert.is(failed.file, 'gcp_prov/server_gcp.ncl');
    assert.not.match(failed.message, 'provisioning-pack-test-', "nickel's stderr names the pack, not the temp folder");
  });

  t('an import through a declared dependency resolves when that dependency is packed', async () => {
    const root = await tree(bin, importing('gcp', '../../../../nickel/defaults.ncl', CORE_DEP));
    await packCore(root);
    await packOne(root, 'gcp');
    const gcp = byModule((await tested(root, { module: 'gcp_prov' })).packs, 'gcp_prov');
    assert.equal(gcp.problems, []);
    assert.equal(gcp.dependencies, ['provisioning_core 0.1.0 at ../../../../nickel']);
    assert.is(gcp.checks.export, 'ok');
  });

  t('a dependency with no pack: IMPORT_UNRESOLVED whose hint, followed, makes the test pass', async () => {
    const root = await tree(bin, importing('gcp', '../../../../nickel/defaults.ncl', CORE_DEP));
    await packOne(root, 'gcp');
    const gcp = byModule((await tested(root)).packs, 'gcp_prov');
    const unresolved = gcp.problems.find((p) => p.code === 'IMPORT_UNRESOLVED')!;
    assert.ok(unresolved, JSON.stringify(gcp.problems));
    assert.match(unresolved.message, 'provisioning_core');
    assert.is(unresolved.hint, 'pack it first: npx gulp pack:core');
    const followed = await gulp(['pack:core', '--base', root, '--silent']);
    assert.is(followed.code, 0, followed.stderr);
    assert.ok((await tested(root)).ok);
  });

  t("a file the dependency's pack does not hold is IMPORT_UNRESOLVED; so is a file the pack itself lacks", async () => {
    const files = importing('gcp', '../../../../nickel/later.ncl', CORE_DEP);
    files['extensions/providers/gcp/nickel/lib/extra.ncl'] = 'let m = import "../missing.ncl" in m\n';
    const root = await tree(bin, files);
    await packCore(root);
    // later.ncl comes to the core after the core was packed: the tree exports, the core's pack lacks it.
    await writeFile(path.join(root, 'nickel/later.ncl'), '{ zone = "z1" }\n');
    await packOne(root, 'gcp');
    const gcp = byModule((await tested(root, { module: 'gcp_prov' })).packs, 'gcp_prov');
    const unresolved = gcp.problems.filter((p) => p.code === 'IMPORT_UNRESOLVED');
    assert.equal(unresolved.map((p) => p.file).sort(), ['gcp_prov/lib/extra.ncl', 'gcp_prov/server_gcp.ncl']);
    assert.match(unresolved.find((p) => p.file === 'gcp_prov/server_gcp.ncl')!.message, 'provisioning_core 0.1.0 does not hold later.ncl');
    assert.match(unresolved.find((p) => p.file === 'gcp_prov/lib/extra.ncl')!.message, 'gcp_prov/missing.ncl');
  });

  t('an export that differs once extracted (the core changed after it was packed) is EXPORT_MISMATCH naming the file', async () => {
    const root = await tree(bin, importing('gcp', '../../../../nickel/defaults.ncl', CORE_DEP));
    await packCore(root);
    await writeFile(path.join(root, 'nickel/defaults.ncl'), '{ zone = "z2" }\n');
    await packOne(root, 'gcp');
    const gcp = byModule((await tested(root, { module: 'gcp_prov' })).packs, 'gcp_prov');
    assert.is(gcp.checks.export, 'failed');
    const mismatch = gcp.problems.find((p) => p.code === 'EXPORT_MISMATCH')!;
    assert.ok(mismatch, JSON.stringify(gcp.problems));
    assert.is(mismatch.file, 'gcp_prov/export/server_gcp.json');
    assert.match(mismatch.message, 'server_gcp.ncl');
  });

  t.run();
}

const t = suite('pack:test: what it refuses, what it selects, what it leaves');

t('a tampered tar: INTEGRITY_MISMATCH against its metadata and against PACK.json, both reported', async () => {
  const root = await exampleTree();
  await appendFile(path.join(root, 'config/config.toml'), '\n[nickel]\nexport = "off"\n');
  await packOne(root, 'aws');
  const tarFile = path.join(root, 'distribution/packages/aws_prov_0.2.0.tar');
  const bytes = await readFile(tarFile);
  const at = bytes.indexOf('web-01');
  assert.ok(at > 0);
  bytes.write('web-99', at, 'latin1'); // same length: the tar stays a tar
  await writeFile(tarFile, bytes);
  const aws = byModule((await tested(root)).packs, 'aws_prov');
  assert.equal([aws.checks.integrity, aws.checks.contents, aws.checks.imports], ['failed', 'failed', 'skipped']);
  assert.equal(aws.problems.map((p) => p.code), ['INTEGRITY_MISMATCH', 'INTEGRITY_MISMATCH']);
  assert.match(aws.problems[1]!.message, 'server_aws.ncl');
});

t('the newest of each module by default; --ver selects every matching version; an unknown module is PACK_NOT_FOUND', async () => {
  const root = await exampleTree();
  await appendFile(path.join(root, 'config/config.toml'), '\n[nickel]\nexport = "off"\n');
  for (const ver of ['0.1.0', '0.2.0', '1.0.0+build.5']) await packOne(root, 'aws', { ver });
  await packOne(root, 'local');
  assert.equal((await tested(root)).packs.map((p) => `${p.module} ${p.version}`), ['aws_prov 1.0.0+build.5', 'local_prov 0.1.0']);
  assert.equal((await tested(root, { range: '<1' })).packs.map((p) => `${p.module} ${p.version}`), ['aws_prov 0.2.0', 'aws_prov 0.1.0', 'local_prov 0.1.0']);
  assert.equal((await tested(root, { module: 'aws_prov', range: '1.0.0+build.5' })).packs.map((p) => p.version), ['1.0.0+build.5']);
  assert.is(await codeOf(tested(root, { module: 'gcp_prov' })), 'PACK_NOT_FOUND');
  assert.is(await codeOf(tested(root, { range: 'not a range' })), 'INVALID_OPTION');
});

t('a legacy KCL pack: integrity and PACK.json checked, imports and export skipped, and said so', async () => {
  const root = await testdir({
    'config/config.toml': '[nickel]\nexport = "off"\n',
    'extensions/providers/old/kcl/kcl.mod': '[package]\nname = "old_prov"\nversion = "0.1.0"\n',
    'extensions/providers/old/kcl/main.k': 'schema Server:\n    name: str\n',
  });
  const r = await gulp(['pack:provider', '--provider', 'old', '--base', root, '--silent']);
  assert.is(r.code, 0, r.stderr);
  const old = byModule((await tested(root)).packs, 'old_prov');
  assert.equal(old.checks, { integrity: 'ok', contents: 'ok', imports: 'skipped', export: 'skipped' });
  assert.match(old.skipped.join('\n'), 'KCL');
});

t('through gulp: one JSON document with every pack and every problem, exit 1; a table for people', async () => {
  const root = await escapingAndClean();
  const json = await gulp(['pack:test', '--base', root, '--format', 'json', '--silent']);
  assert.is(json.code, 1, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.is(doc.ok, false);
  assert.equal(doc.packs.map((p: TestedPack) => [p.module, p.problems.length > 0]), [['aws_prov', false], ['gcp_prov', true]]);
  assert.ok(doc.problems.some((p: { code: string }) => p.code === 'PACK_IMPORT_ESCAPES'));
  assert.match(json.stderr, 'error PACK_IMPORT_ESCAPES');
  const table = await gulp(['pack:test', '--base', root]);
  assert.is(table.code, 1);
  assert.match(table.stdout, /gcp_prov\s+1\.0\.0\s+ok\s+ok\s+FAILED\s+FAILED/);
  assert.match(table.stdout, /aws_prov\s+1\.0\.0\s+ok\s+ok\s+ok\s+ok/);
});

t('pack:publish --test publishes nothing when a pack fails, and publishes when they pass', async () => {
  const root = await escapingAndClean();
  const registry = path.join(await testdir(), 'registry');
  const refused = await gulp(['pack:publish', '--test', '--registry', registry, '--base', root, '--format', 'json', '--silent']);
  assert.is(refused.code, 1);
  assert.match(JSON.parse(refused.stdout).problems.map((p: { code: string }) => p.code).join(' '), 'PACK_IMPORT_ESCAPES');
  const said = await gulp(['pack:publish', '--test', '--registry', registry, '--base', root]);
  assert.is(said.code, 1);
  assert.match(said.stdout + said.stderr, 'nothing published');
  assert.not.ok(existsSync(registry), 'nothing published');
  const passed = await gulp(['pack:publish', '--test', '--provider', 'aws', '--registry', registry, '--base', root, '--format', 'json', '--silent']);
  assert.is(passed.code, 0, passed.stderr);
  assert.equal(JSON.parse(passed.stdout).packs.map((p: { module: string; status: string }) => `${p.module} ${p.status}`), ['aws_prov published']);
});

t("the seed's spelling: provisioning pack test [provider]", async () => {
  const root = await exampleTree();
  await appendFile(path.join(root, 'config/config.toml'), '\n[nickel]\nexport = "off"\n');
  await packOne(root, 'aws');
  await packOne(root, 'local');
  const r = await run('node', [path.join(PROJECT_ROOT, 'bin/provisioning.mjs'), 'pack', 'test', 'aws', '--format', 'json'], { env: { PROVISIONING: root } });
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).packs.map((p: TestedPack) => p.module), ['aws_prov']);
});

t('no temp folder is left behind, also on SIGINT in the middle of an export', async () => {
  const root = await tree(STAND_IN, providerFiles('aws'));
  await packOne(root, 'aws');
  const tmp = await testdir();
  const ours = async () => (await readdir(tmp)).filter((n) => n.startsWith('provisioning-pack-test-'));
  const done = await gulp(['pack:test', '--base', root, '--silent'], { env: { TMPDIR: tmp } });
  assert.is(done.code, 0, done.stderr);
  assert.equal(await ours(), []);
  // A nickel that waits: an export to interrupt.
  const tools = await testdir();
  const marker = path.join(tools, 'exporting');
  const slow = path.join(tools, 'slow-nickel');
  await writeFile(slow, `#!/bin/sh\ntouch '${marker}'\nsleep 30\nexec '${STAND_IN}' "$@"\n`);
  await chmod(slow, 0o755);
  await writeFile(path.join(root, 'config/config.toml'), `[nickel]\nbin = ${JSON.stringify(slow)}\n`);
  const child = spawn('node', [path.join(PROJECT_ROOT, 'node_modules/gulp-cli/bin/gulp.js'), 'pack:test', '--base', root], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TMPDIR: tmp, PROVISIONING: '', PROVISIONING_CONFIG: '' },
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (c) => resolve(c));
    const poll = () => void (existsSync(marker) ? child.kill('SIGINT') : setTimeout(poll, 20));
    poll();
  });
  // 130, as a shell reports SIGINT (Deno's node:child_process gives no code for a child it killed).
  if (code !== null || !('Deno' in globalThis)) assert.is(code, 130);
  assert.equal(await ours(), [], 'the temp folder is gone');
});

t.run();

const found = suite("pack:test: what a new user's run found");

found('EXPORT_MISMATCH names the dependency packs it was exported against, and its hint (a new version) makes the test pass', async () => {
  const root = await tree(STAND_IN, importing('gcp', '../../../../nickel/defaults.ncl', CORE_DEP));
  await packCore(root);
  await packOne(root, 'gcp');
  await writeFile(path.join(root, 'nickel/defaults.ncl'), '{ zone = "z2" }\n');
  assert.is((await gulp(['pack:core', '--ver', '0.2.0', '--base', root, '--silent'])).code, 0);
  const mismatch = (await tested(root, { module: 'gcp_prov' })).problems.find((p) => p.code === 'EXPORT_MISMATCH')!;
  assert.ok(mismatch);
  assert.match(mismatch.message, 'provisioning_core 0.2.0');
  assert.match(mismatch.hint!, 'npx gulp pack:provider --provider gcp --ver 1.0.1');
  const followed = await gulp(['pack:provider', '--provider', 'gcp', '--ver', '1.0.1', '--base', root, '--silent']);
  assert.is(followed.code, 0, followed.stderr);
  assert.ok((await tested(root, { module: 'gcp_prov' })).ok);
});

found('a missing tar: PACK_NOT_FOUND whose hint, followed, puts it back (pack:test, pack:verify and pack:publish alike)', async () => {
  const root = await exampleTree();
  await appendFile(path.join(root, 'config/config.toml'), '\n[nickel]\nexport = "off"\n');
  await packOne(root, 'aws');
  await rm(path.join(root, 'distribution/packages/aws_prov_0.2.0.tar'));
  const config = await loadConfig({ root });
  const missing = (await tested(root)).problems[0]!;
  assert.is(missing.code, 'PACK_NOT_FOUND');
  assert.is(missing.hint, 'pack it again: npx gulp pack:provider --provider aws --ver 0.2.0');
  assert.match((await verifyPacks({ config })).errors[0]!.hint!, 'npx gulp pack:provider --provider aws --ver 0.2.0');
  const followed = await gulp(['pack:provider', '--provider', 'aws', '--ver', '0.2.0', '--base', root, '--silent']);
  assert.is(followed.code, 0, followed.stderr);
  assert.ok((await tested(root)).ok);
});

found('dependencies: a version no pack matches, a module that is neither a provider nor the core, the pack itself, an absolute path, a manifest that does not parse', async () => {
  const files: Tree = {
    ...importing('gcp', '../../../../nickel/defaults.ncl', '\n[dependencies]\nprovisioning_core = { path = "../../../../nickel", version = "^2.0" }\n'),
    ...importing('azure', '../../shared/lib.ncl', '\n[dependencies]\nshared_lib = { path = "../../shared" }\n'),
    ...importing('hetzner', '/opt/prov/nickel/x.ncl', '\n[dependencies]\nopt = { path = "/opt/prov/nickel" }\nhetzner_prov = { path = "." }\n'),
    'extensions/providers/shared/lib.ncl': '{ zone = "z" }\n',
  };
  const root = await tree(STAND_IN, files);
  await writeFile(path.join(root, 'config/config.toml'), '[nickel]\nexport = "off"\n');
  await packCore(root);
  for (const p of ['gcp', 'azure', 'hetzner']) await packOne(root, p);
  const result = await tested(root);
  const of = (m: string) => byModule(result.packs, m).problems;
  const gcp = of('gcp_prov').find((p) => p.code === 'IMPORT_UNRESOLVED')!;
  assert.match(gcp.message, 'no pack of provisioning_core matches ^2.0 (packed: 0.1.0)');
  const azure = of('azure_prov').find((p) => p.code === 'IMPORT_UNRESOLVED')!;
  assert.match(azure.message, 'shared_lib');
  assert.not.match(azure.hint!, 'pack:provider --provider shared_lib');
  const hetzner = of('hetzner_prov');
  assert.ok(hetzner.some((p) => p.code === 'MANIFEST_INVALID' && p.message.includes('hetzner_prov') && p.message.includes('the pack itself')), JSON.stringify(hetzner));
  const absolute = hetzner.find((p) => p.code === 'PACK_IMPORT_ESCAPES')!;
  assert.match(absolute.message, 'absolute');
  for (const p of result.problems) assert.not.match(`${p.message} ${p.hint ?? ''}`, 'provisioning-pack-test-', 'no temp path');
  // A manifest.toml that does not parse is said, never read as "no dependencies".
  const broken = await tree(STAND_IN, {
    ...importing('gcp', '../../../../nickel/defaults.ncl', '\n[dependencies]\nprovisioning_core = { path = "../../../../nickel" }\nprovisioning_core = { path = "x" }\n'),
  });
  await writeFile(path.join(broken, 'config/config.toml'), '[nickel]\nexport = "off"\n');
  await packCore(broken);
  const packed = await gulp(['pack:provider', '--provider', 'gcp', '--base', broken, '--silent']);
  if (packed.code === 0) {
    const codes = (await tested(broken, { module: 'gcp_prov' })).problems.map((p) => p.code);
    assert.ok(codes.includes('MANIFEST_PARSE'), codes.join(' '));
  } else {
    assert.match(packed.stderr, 'MANIFEST_PARSE'); // refused at packing already: nothing to test
  }
});

found('--provider takes a provider or a module name (core too), says "did you mean", and a broken metadata file is its own error', async () => {
  const root = await exampleTree();
  await appendFile(path.join(root, 'config/config.toml'), '\n[nickel]\nexport = "off"\n');
  await packCore(root);
  await packOne(root, 'aws');
  await packOne(root, 'upcloud');
  assert.equal((await tested(root, { module: 'aws_prov' })).packs.map((p) => p.module), ['aws_prov']);
  assert.equal((await tested(root, { module: 'aws' })).packs.map((p) => p.module), ['aws_prov']);
  assert.equal((await tested(root, { module: 'provisioning_core' })).packs.map((p) => p.module), ['provisioning_core']);
  const typo = await tested(root, { module: 'awz' }).then(() => undefined, (e: { code: string; hint?: string }) => e);
  assert.is(typo?.code, 'PACK_NOT_FOUND');
  assert.match(typo!.hint!, 'did you mean "aws"');
  const r = await gulp(['pack:test', '--provider', 'core', '--base', root, '--format', 'json', '--silent']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).packs.map((p: TestedPack) => p.module), ['provisioning_core']);
  // Another module's broken metadata is not this one's problem; this one's is its own error.
  await writeFile(path.join(root, 'distribution/registry/aws_prov.json'), '{ not json');
  assert.ok((await tested(root, { module: 'upcloud' })).ok);
  assert.is(await codeOf(tested(root, { module: 'aws' })), 'REGISTRY_ERROR');
});

found('a kcl.mod beside a Nickel manifest.toml does not turn the checks off', async () => {
  const root = await tree(STAND_IN, {
    ...importing('gcp', '../../shared/x.ncl'),
    'extensions/providers/gcp/nickel/kcl.mod': '[package]\nname = "gcp_prov"\n',
    'extensions/providers/shared/x.ncl': '{ zone = "z" }\n',
  });
  await packOne(root, 'gcp');
  const gcp = byModule((await tested(root)).packs, 'gcp_prov');
  assert.is(gcp.language, 'nickel');
  assert.is(gcp.checks.imports, 'failed');
});

found('a bad concurrency is INVALID_OPTION', async () => {
  const root = await exampleTree();
  assert.is(await codeOf(testPacks({ config: await loadConfig({ root }), concurrency: Number.NaN })), 'INVALID_OPTION');
});

found.run();
