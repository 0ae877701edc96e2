import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import { nickelExportFile } from '../../lib/pack/nickel.ts';
import { exportForWatch } from '../../lib/watch/export.ts';
import { run } from '../helpers/run.ts';
import { testdir } from '../helpers/testdir.ts';
import { codeOf, nickelBinaries, packOne, packTree, providerFiles, STAND_IN } from '../helpers/pack-tree.ts';

const standIn = suite("nickel stand-in: the real CLI's interface");

standIn('says at its top that it is a stand-in', async () => {
  const head = (await readFile(STAND_IN, 'utf8')).split('\n').slice(0, 3).join('\n');
  assert.match(head, '#!/usr/bin/env node');
  assert.match(head, 'STAND-IN, NOT THE REAL NICKEL');
});

const cli: [string, string[], number, string | RegExp][] = [
  ['an unknown subcommand', ['frobnicate'], 2, "unrecognized subcommand 'frobnicate'"],
  ['an unknown flag', ['export', '--frob', 'x.ncl'], 2, "unexpected argument '--frob' found"],
  ['an invalid --format', ['export', '--format', 'xml', 'x.ncl'], 2, "invalid value 'xml'"],
  ['no subcommand', [], 2, 'requires a subcommand'],
];
for (const [name, args, code, message] of cli) {
  standIn(`refuses ${name} like clap does (exit ${code})`, async () => {
    const r = await run(STAND_IN, args);
    assert.is(r.code, code);
    assert.match(r.stderr, message);
  });
}

for (const { label, bin } of nickelBinaries()) {
  const t = suite(`nickel export (${label})`);

  t('exports records, lets, imports and field access as sorted JSON', async () => {
    const dir = await testdir({
      'd.ncl': '# defaults\n{ zone = "z1", n = 2, ok = true, none = null }\n',
      'main.ncl': 'let d = import "d.ncl" in\n{ b = [d.zone, d.n], a.c = d.ok, e | String | default = "x", f = (d.none) }\n',
    });
    const json = JSON.parse((await nickelExportFile({ bin, cwd: dir, file: 'main.ncl' })).toString());
    assert.equal(json, { a: { c: true }, b: ['z1', 2], e: 'x', f: null });
    assert.equal(Object.keys(json), ['a', 'b', 'e', 'f']);
  });

  t("a syntax error fails with nickel's stderr and a location", async () => {
    const dir = await testdir({ 'bad.ncl': '{ a = 1,\n  b = }\n' });
    const r = await run(bin, ['export', '--format', 'json', 'bad.ncl'], { cwd: dir });
    assert.is.not(r.code, 0);
    assert.match(r.stderr, /error/);
    assert.match(r.stderr, 'bad.ncl:2');
    assert.is(await codeOf(nickelExportFile({ bin, cwd: dir, file: 'bad.ncl' })), 'EXPORT_FAILED');
  });

  t('a missing import fails', async () => {
    const dir = await testdir({ 'm.ncl': 'let x = import "gone.ncl" in x\n' });
    const r = await run(bin, ['export', '--format', 'json', 'm.ncl'], { cwd: dir });
    assert.is.not(r.code, 0);
    assert.match(r.stderr, 'gone.ncl');
  });

  t('a field with a contract and no value is a missing definition', async () => {
    const dir = await testdir({ 's.ncl': '{ Server = { hostname | String } }\n' });
    const r = await run(bin, ['export', '--format', 'json', 's.ncl'], { cwd: dir });
    assert.is.not(r.code, 0);
    assert.match(r.stderr, 'missing definition');
  });

  t('a pack of the example-style provider holds export/<stem>.json for each top-level file', async () => {
    const root = await packTree({ bin });
    const r = await packOne(root, 'aws');
    const out = await testdir();
    await tar.x({ file: r.file, cwd: out });
    const server = JSON.parse(await readFile(path.join(out, 'aws_prov/export/server_aws.json'), 'utf8'));
    assert.equal(server, { provider: 'aws', server: { networks: [{ cidr: '10.0.0.0/24', public: false }], plan: 'small' } });
    for (const stem of ['defaults_aws', 'network_aws']) await readFile(path.join(out, `aws_prov/export/${stem}.json`));
  });

  t.run();
}

const argv = suite('nickel command line: file names are never options');

/** A nickel that records its argv (one per line) and whether its stdin is a pipe, then prints `{}`. */
async function spyNickel(): Promise<{ bin: string; log: string }> {
  const dir = await testdir();
  const bin = path.join(dir, 'nickel-spy');
  const log = path.join(dir, 'argv.log');
  await writeFile(
    bin,
    `#!/usr/bin/env node
const fs = require('node:fs');
const stdin = (() => { try { return fs.fstatSync(0).isFIFO() ? 'stdin:pipe' : 'stdin:other'; } catch { return 'stdin:closed'; } })();
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify([...process.argv.slice(2), stdin]) + '\\n');
process.stdout.write('{}');
`,
  );
  await chmod(bin, 0o755);
  return { bin, log };
}

const calls = async (log: string): Promise<string[][]> => (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]).sort();

argv('nickel gets a file named like an option (--output=main.ncl, -I...ncl) as ./<file>, with stdin closed', async () => {
  const { bin, log } = await spyNickel();
  const root = await packTree({
    bin,
    exportMode: 'required',
    tree: {
      ...providerFiles('aws'),
      'extensions/providers/aws/nickel/--output=main.ncl': '{}\n',
      'extensions/providers/aws/nickel/-I...ncl': '{}\n',
    },
  });
  const r = await packOne(root, 'aws');
  assert.is(r.status, 'packed');
  const seen = await calls(log);
  assert.equal(seen.map((c) => c.slice(0, 3)), seen.map(() => ['export', '--format', 'json']));
  assert.equal(seen.map((c) => c[3]), ['./--output=main.ncl', './-I...ncl', './defaults_aws.ncl', './network_aws.ncl', './server_aws.ncl']);
  for (const c of seen) assert.is.not(c[4], 'stdin:pipe', 'nickel never waits on a stdin nobody writes');
});

argv('the stand-in, like clap, takes ./--output=main.ncl as a file and -- as the end of options', async () => {
  const dir = await testdir({ '--output=main.ncl': '{ a = 1 }\n' });
  for (const args of [['./--output=main.ncl'], ['--', '--output=main.ncl']]) {
    const r = await run(STAND_IN, ['export', '--format', 'json', ...args], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), { a: 1 });
  }
  assert.equal((await readdir(dir)).sort(), ['--output=main.ncl']);
});

argv('watch exports only what the pack would: listed files inside the module, each as ./<file>', async () => {
  const { bin, log } = await spyNickel();
  const root = await packTree({
    bin,
    tree: {
      ...providerFiles('aws', '1.0.0', 'exports = ["./server_aws.ncl", "--output=x.ncl", "../../../../outside.ncl", "/etc/passwd"]\n'),
      'extensions/providers/aws/nickel/--output=x.ncl': '{}\n',
      'outside.ncl': '{}\n',
    },
  });
  const result = await exportForWatch(await loadConfig({ root }), 'aws');
  assert.equal((await calls(log)).map((c) => c[3]), ['./--output=x.ncl', './server_aws.ncl']);
  // Listed but not a file of the module: reported as the pack reports it.
  assert.equal(result.errors.map((e) => e.code), ['EXPORT_FAILED']);
  assert.match(result.errors[0]!.message, 'outside.ncl');
  assert.match(result.errors[0]!.message, '/etc/passwd');
});

standIn.run();
argv.run();
