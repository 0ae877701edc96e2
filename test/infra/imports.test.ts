import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkImports } from '../../lib/infra/import-check.ts';
import { scanImports } from '../../lib/infra/imports.ts';
import { testdir } from '../helpers/testdir.ts';

const SCANS: [string, string, [string, number, number][]][] = [
  ['a plain import', 'let a = import "a.ncl" in a', [['a.ncl', 1, 9]]],
  ['several, on several lines', '{\n  x = import "x.ncl",\n  y = import\n    "sub/y.ncl",\n}', [['x.ncl', 2, 7], ['sub/y.ncl', 3, 7]]],
  ['inside a comment: ignored', '# import "no.ncl"\n{}', []],
  ['inside a string: ignored', '{ s = "import \\"no.ncl\\"" }', []],
  ['inside a multiline string: ignored', '{ s = m%"\n import "no.ncl"\n"% , t = import "yes.ncl" }', [['yes.ncl', 3, 10]]],
  ['part of another word: ignored', '{ reimport "no.ncl" }', []],
  ['escaped quote in the path', 'import "we\\"ird.ncl"', [['we"ird.ncl', 1, 1]]],
  ["inside a string's interpolation: counted", '{ a = "zone %{(import "gone.ncl").zone}" }', [['gone.ncl', 1, 16]]],
  ["inside a multiline string's interpolation: counted", '{ b = m%"\n  %{(import "../x.ncl").plan} %{ { c = 1 }.c }\n"%, d = import "d.ncl" }', [['../x.ncl', 2, 6], [
    'd.ncl',
    3,
    9,
  ]]],
  ['m%%"…"%% interpolates with %%{: a %{ in it is text', '{ e = m%%"%{import "no.ncl"} %%{import "yes.ncl"}"%% }', [['yes.ncl', 1, 33]]],
  ['an interpolated import path is not a static import', '{ f = import "%{x}.ncl" }', []],
];

const scan = suite('import scan');
for (const [name, source, expected] of SCANS) {
  scan(name, () => assert.equal(scanImports(source).map((r) => [r.spec, r.line, r.column]), expected));
}
scan.run();

const follow = suite('imports followed across files');
follow('follows imports out of the module, relative to the importing file', async () => {
  const root = await testdir({
    'mod/main.ncl': 'import "../shared/lib.ncl"\n',
    'shared/lib.ncl': '{\n  a = import "deep/ok.ncl",\n  b = import "deep/missing.ncl",\n}\n',
    'shared/deep/ok.ncl': 'import "../../outside-root.ncl"\n',
  });
  const problems = await checkImports({ moduleDir: `${root}/mod`, boundary: root, display: (f) => f.slice(root.length + 1) });
  assert.equal(problems.map((p) => [p.code, p.file, p.line, p.column]), [
    ['IMPORT_UNRESOLVED', 'shared/lib.ncl', 3, 7],
    ['IMPORT_UNRESOLVED', 'shared/deep/ok.ncl', 1, 1],
  ]);
});
follow('import cycles terminate', async () => {
  const root = await testdir({ 'mod/a.ncl': 'import "b.ncl"\n', 'mod/b.ncl': 'import "a.ncl"\n' });
  assert.equal(await checkImports({ moduleDir: `${root}/mod`, boundary: root }), []);
});
follow.run();
