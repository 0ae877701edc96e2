import { existsSync, lstatSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gulp, run, type RunResult } from '../helpers/run.ts';
import { exampleTree, PROJECT_ROOT } from '../helpers/testdir.ts';

const SHIM = path.join(PROJECT_ROOT, 'bin', 'provisioning.mjs');
const ENTRY = path.join(PROJECT_ROOT, 'bin', 'provisioning.ts');
const DENO = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'deno');
const ENV = { PROVISIONING: '', PROVISIONING_CONFIG: '' };

/** `provisioning <args>` as a user runs it: the Node shim (what `npx provisioning` starts) or Deno. */
function provisioning(runtime: 'node' | 'deno', args: string[], cwd = PROJECT_ROOT): Promise<RunResult> {
  return runtime === 'node' ? run('node', [SHIM, ...args], { cwd, env: ENV }) : run(DENO, ['run', '-A', ENTRY, ...args], { cwd, env: ENV });
}

for (const runtime of ['node', 'deno'] as const) {
  const t = suite(`cli: provisioning under ${runtime}`);

  t("the seed's module-loader workflow, positional: install, installed, validate, remove", async () => {
    const root = await exampleTree();
    const install = await provisioning(runtime, ['providers', 'install', 'upcloud', 'wuji', '--version', '^0.0.1', '--base', root]);
    assert.is(install.code, 0, install.stderr);
    assert.ok(lstatSync(path.join(root, 'workspace/infra/wuji/.nickel-modules/upcloud_prov')).isSymbolicLink());

    const installed = await provisioning(runtime, ['providers', 'installed', 'wuji', '--format', 'json', '--base', root]);
    assert.is(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, '"upcloud"');

    assert.is((await provisioning(runtime, ['providers', 'validate', 'wuji', '--base', root])).code, 0);

    const removed = await provisioning(runtime, ['providers', 'remove', 'upcloud', 'wuji', '--base', root]);
    assert.is(removed.code, 0, removed.stderr);
    assert.not.ok(existsSync(path.join(root, 'workspace/infra/wuji/.nickel-modules/upcloud_prov')));
  });

  t('a version range the provider misses fails like the task: exit 1, VERSION_MISMATCH', async () => {
    const root = await exampleTree();
    const r = await provisioning(runtime, ['providers', 'install', 'upcloud', 'wuji', '--version', '^2.0.0', '--base', root]);
    assert.is(r.code, 1);
    assert.match(r.stderr, 'VERSION_MISMATCH');
  });

  t('providers vendor without --version is a usage error naming --version; its help marks it required', async () => {
    const root = await exampleTree();
    const r = await provisioning(runtime, ['providers', 'vendor', 'hetzner', 'alpha', '--base', root]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, 'error USAGE');
    assert.match(r.stderr, '--version is missing');
    assert.not.match(r.stderr, '--ver ""');
    const help = await provisioning(runtime, ['providers', 'vendor', '--help']);
    assert.is(help.code, 0, help.stderr);
    assert.match(help.stdout, /--version RANGE\s+\(required\)/);
  });

  t("the seed's spelling: module-loader sync-kcl <infra> syncs the infra", async () => {
    const root = await exampleTree();
    const installed = await provisioning(runtime, ['providers', 'install', 'upcloud', 'wuji', '--base', root]);
    assert.is(installed.code, 0, installed.stderr);
    const link = path.join(root, 'workspace/infra/wuji/.nickel-modules/upcloud_prov');
    await rm(link);
    const r = await provisioning(runtime, ['module-loader', 'sync-kcl', 'wuji', '--base', root]);
    assert.is(r.code, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink());
  });

  t('a failing task: exit 1, each problem with its code and hint', async () => {
    const root = await exampleTree();
    const r = await provisioning(runtime, ['providers', 'info', 'upclod', '--base', root]);
    assert.is(r.code, 1);
    assert.match(r.stderr, 'PROVIDER_NOT_FOUND');
    assert.match(r.stderr, 'did you mean "upcloud"?');
  });

  t('pack provider <name> --version, then pack list --format json and pack clean --dry-run', async () => {
    const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "off"\n' });
    const packed = await provisioning(runtime, ['pack', 'provider', 'aws', '--version', '0.0.2', '--base', root]);
    assert.is(packed.code, 0, packed.stderr);
    assert.ok(existsSync(path.join(root, 'distribution/packages/aws_prov_0.0.2.tar')));
    const list = await provisioning(runtime, ['pack', 'list', '--format', 'json', '--base', root]);
    assert.is(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { module: string; version: string }[];
    assert.ok(rows.some((r) => r.module === 'aws_prov' && r.version === '0.0.2'));
    const clean = await provisioning(runtime, ['pack', 'clean', '--keep-latest', '3', '--dry-run', '--base', root]);
    assert.is(clean.code, 0, clean.stderr);
  });

  t('the production commands: pack verify <provider>, pack publish --registry, providers vendor --version', async () => {
    const root = await exampleTree({ 'config/config.toml': '[nickel]\nexport = "off"\n' });
    const registry = path.join(root, 'registry-out');
    for (
      const args of [['pack', 'provider', 'upcloud'], ['pack', 'verify', 'upcloud'], ['pack', 'publish', '--registry', registry], [
        'providers',
        'vendor',
        'upcloud',
        'wuji',
        '--version',
        '^0.0.1',
        '--registry',
        registry,
      ]]
    ) {
      const r = await provisioning(runtime, [...args, '--base', root]);
      assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.ok(existsSync(path.join(registry, 'index.json')));
    assert.ok(existsSync(path.join(root, 'workspace/infra/wuji/vendor/upcloud_prov')));
    const missing = await provisioning(runtime, ['pack', 'verify', 'nope', '--base', root]);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, 'PACK_NOT_FOUND');
  });

  t('usage errors exit 2 with a hint: unknown command, missing argument, unknown flag', async () => {
    const unknown = await provisioning(runtime, ['providers', 'instal', 'upcloud', 'wuji']);
    assert.is(unknown.code, 2);
    assert.match(unknown.stderr, 'UNKNOWN_COMMAND');
    assert.match(unknown.stderr, 'did you mean "provisioning providers install"?');
    const missing = await provisioning(runtime, ['providers', 'install', 'upcloud']);
    assert.is(missing.code, 2);
    assert.match(missing.stderr, '<infra> is missing');
    const flag = await provisioning(runtime, ['providers', 'remove', 'upcloud', 'wuji', '--forse']);
    assert.is(flag.code, 2);
    assert.match(flag.stderr, 'did you mean --force?');
  });

  t("--help at the top, per group and per command: positionals and the task's own flags", async () => {
    const top = await provisioning(runtime, ['--help']);
    assert.is(top.code, 0);
    for (const c of ['providers install <provider> <infra>', 'pack provider <name>', 'pack clean', 'watch [infra]']) assert.match(top.stdout, c);
    const cmd = await provisioning(runtime, ['providers', 'remove', '--help']);
    assert.is(cmd.code, 0);
    assert.match(cmd.stdout, 'usage: provisioning providers remove <provider> <infra> [flags]'.replace('usage: ', ''));
    assert.match(cmd.stdout, /--force\s+\S/);
    const group = await provisioning(runtime, ['pack', '-h']);
    assert.is(group.code, 0);
    assert.match(group.stdout, 'pack verify [provider]');
  });
  t.run();
}

const same = suite('cli: same output as the gulp task');

same('providers list --kcl --format json prints what gulp providers:list --lang kcl prints', async () => {
  const root = await exampleTree();
  const viaCli = await provisioning('node', ['providers', 'list', '--kcl', '--format', 'json', '--base', root]);
  const viaGulp = await gulp(['providers:list', '--lang', 'kcl', '--format', 'json', '--base', root, '--silent']);
  assert.is(viaCli.code, 0, viaCli.stderr);
  assert.is(viaCli.stdout, viaGulp.stdout);
  assert.match(viaCli.stdout, '"local"');
});

same('providers validate: the same exit code and problems as the task', async () => {
  const root = await exampleTree();
  assert.is((await provisioning('node', ['providers', 'install', 'upcloud', 'wuji', '--base', root])).code, 0);
  const server = path.join(root, 'extensions/providers/upcloud/nickel/server_upcloud.ncl');
  await writeFile(server, (await readFile(server, 'utf8')).replace('"network_upcloud.ncl"', '"nowhere.ncl"'));
  const viaCli = await provisioning('node', ['providers', 'validate', 'wuji', '--format', 'json', '--base', root]);
  const viaGulp = await gulp(['providers:validate', '--infra', 'wuji', '--format', 'json', '--base', root, '--silent']);
  assert.is(viaCli.code, 1);
  assert.is(viaGulp.code, 1);
  assert.is(viaCli.stdout, viaGulp.stdout);
  assert.match(viaCli.stderr, 'IMPORT_UNRESOLVED');
});

same('npx provisioning runs the package bin', async () => {
  const r = await run('npx', ['--no', '--', 'provisioning', '--version'], { cwd: PROJECT_ROOT });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^provisioning \d+\.\d+\.\d+/);
});
same.run();
