import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nickelExportFile } from '../../lib/pack/nickel.ts';
import { run } from '../helpers/run.ts';
import { testdir } from '../helpers/testdir.ts';
import { codeOf, nickelBinaries, packOne, packTree, STAND_IN } from './helpers/pack-tree.ts';

const standIn = suite('nickel stand-in: the real CLI\'s interface');

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

  t('a syntax error fails with nickel\'s stderr and a location', async () => {
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

standIn.run();
