import { readFile, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../../lib/infra/install.ts';
import { removeProvider } from '../../../lib/infra/remove.ts';
import { editDependencyText } from '../../../lib/formats/toml/dependency-text.ts';
import { getDependency, parseManifest, withDependency } from '../../../lib/formats/toml/dependencies.ts';
import { example } from '../../helpers/example.ts';

const LINK = { path: './.nickel-modules/upcloud_prov' };
const VENDOR = { path: './vendor/upcloud_prov', version: '1.0.0' };
const LINK_VALUE = '{ path = "./.nickel-modules/upcloud_prov" }';
const VENDOR_VALUE = '{ path = "./vendor/upcloud_prov", version = "1.0.0" }';
const LINE = `upcloud_prov = ${LINK_VALUE}`;

/** Marks the bytes install adds: the original is the text without them, the install output the text with them. */
const add = (bytes: string): string => `\u0001${bytes}\u0002`;
// deno-lint-ignore no-control-regex -- \u0001 and \u0002 are the markers `add` puts in
const original = (shape: string): string => shape.replace(/\u0001[^\u0002]*\u0002/g, '');
// deno-lint-ignore no-control-regex -- the same markers
const installed = (shape: string): string => shape.replace(/[\u0001\u0002]/g, '');

interface Shape {
  name: string;
  /** The manifest, with what install adds marked by {@link add}. */
  text: string;
  module?: string;
  /** Install created the table, so remove drops it again (the yaml's created_dependencies_table). */
  created?: boolean;
}

const SHAPES: Shape[] = [
  {
    name: 'QA repro: a comment closes the table',
    text: `[package]\nname = "wuji"\n\n[dependencies]\nprovisioning_core = { path = "../../../nickel" }\n${add(`${LINE}\n`)}# TODO: add aws later\n`,
  },
  { name: 'trailing blank lines and a final comment', text: `[dependencies]\ncore = "1.0"\n${add(`${LINE}\n`)}\n\n# last\n\n` },
  {
    name: 'QA repro: tabs before comments, in [package] too',
    text: `[package]\nname = "wuji"\t# tab\n\n[dependencies]\ncore = "1.0"\t\t# pinned\n${add(`${LINE}\n`)}\t# tab-indented comment\n`,
  },
  { name: 'CRLF', text: `[package]\r\nname = "wuji"\r\n\r\n[dependencies]\r\ncore = "1.0"\r\n${add(`${LINE}\r\n`)}# end\r\n` },
  { name: 'no trailing newline', text: `[dependencies]\ncore = "1.0"${add(`\n${LINE}`)}` },
  { name: 'BOM', text: `\uFEFF[dependencies]\ncore = "1.0"\n${add(`${LINE}\n`)}` },
  { name: 'BOM, table first and empty', text: `\uFEFF[dependencies]\n${add(`${LINE}\n`)}` },
  {
    name: 'aligned = columns and comments',
    text: `[dependencies]\ncore       = "1.0"    # core\nnetworking = "2.0"    # net\n${add(`${LINE}\n`)}\n[extra]\nkey = 1\n`,
  },
  {
    name: 'comments between entries',
    text: `[dependencies]\n# core first\ncore = "1.0"\n\n# then the network\nnet = "2.0"\n${add(`${LINE}\n`)}# closing remark\n`,
  },
  { name: 'a table followed by another table', text: `[dependencies]\ncore = "1.0"\n${add(`${LINE}\n`)}\n[extra]\nkey = 1 # kept\n` },
  {
    name: '[dependencies] last, with trailing comments',
    text: `[package]\nname = "x"\n\n[dependencies]\ncore = "1.0"\n${add(`${LINE}\n`)}\n# aws_prov = { path = "…" }\n#   gcp later\n`,
  },
  { name: 'an empty [dependencies] table between tables', text: `[package]\nname = "x"\n\n[dependencies]\n${add(`${LINE}\n`)}\n[extra]\nkey = 1\n` },
  { name: 'indented entries: ours gets the same indent', text: `[dependencies]\n  core = "1.0"\n${add(`  ${LINE}\n`)}` },
  { name: 'header with spaces and a comment', text: `[ dependencies ]   # deps\ncore = "1.0"\n${add(`${LINE}\n`)}` },
  {
    name: 'a [dependencies] line inside a multi-line string is not the table',
    text: `[package]\ndescription = """\n[dependencies]\nfake = 1\n"""\n\n[dependencies]\ncore = "1.0"\n${add(`${LINE}\n`)}\n[extra]\nnote = '''\n[dependencies]\n'''\n`,
  },
  {
    name: 'dates and times elsewhere in the file',
    text: `[package]\nreleased = 1979-05-27\nat = 07:32:00\nstamp = 1979-05-27T07:32:00\n\n[dependencies]\ncore = "1.0"\n${add(`${LINE}\n`)}`,
  },
  {
    name: 'a key that needs quoting',
    module: 'my.prov',
    text: `[dependencies]\ncore = "1.0"\n${add(`"my.prov" = ${LINK_VALUE}\n`)}# end\n`,
  },
  { name: 'no [dependencies] table', created: true, text: `# no deps yet\n[package]\nname = "x"\t# kept\n${add(`\n[dependencies]\n${LINE}\n`)}` },
  { name: 'no [dependencies] table, no trailing newline', created: true, text: `[package]\nname = "x"${add(`\n\n[dependencies]\n${LINE}`)}` },
  { name: 'no [dependencies] table, CRLF', created: true, text: `[package]\r\nname = "x"\r\n\r\n${add(`\r\n[dependencies]\r\n${LINE}\r\n`)}` },
  { name: 'no [dependencies] table, trailing blank lines', created: true, text: `[package]\nname = "x"\n\n\n${add(`\n[dependencies]\n${LINE}\n`)}` },
  { name: 'an empty file', created: true, text: add(`[dependencies]\n${LINE}\n`) },
  { name: 'a BOM-only file', created: true, text: `\uFEFF${add(`[dependencies]\n${LINE}\n`)}` },
];

const text = suite('manifest.toml: one dependency line edited as text');
for (const shape of SHAPES) {
  const module = shape.module ?? 'upcloud_prov';
  const before = original(shape.text);
  const after = installed(shape.text);
  text(`${shape.name}: install adds only our line; vendor pin replaces only it; remove restores every byte`, () => {
    assert.ok(editDependencyText(before, module, LINK, false) !== undefined, 'the text path handles this shape');
    const added = withDependency(parseManifest(before, 'm.toml'), module, LINK);
    assert.is(added, after);
    assert.equal(getDependency(parseManifest(added, 'm.toml'), module), LINK);

    const pinned = withDependency(parseManifest(added, 'm.toml'), module, VENDOR);
    assert.is(pinned, after.replace(LINK_VALUE, VENDOR_VALUE));
    assert.is(withDependency(parseManifest(pinned, 'm.toml'), module, LINK), after, 'back to the link');

    const options = { dropEmptyTable: shape.created ?? false };
    assert.is(withDependency(parseManifest(added, 'm.toml'), module, undefined, options), before);
    assert.is(withDependency(parseManifest(pinned, 'm.toml'), module, undefined, options), before);
  });
}
text('a mode change keeps the key, its spacing and a comment on our line', () => {
  const mine = `[dependencies]\n"upcloud_prov"  =  ${LINK_VALUE}\t# mine\ncore = "1.0"\n`;
  assert.is(withDependency(parseManifest(mine, 'm.toml'), 'upcloud_prov', VENDOR), mine.replace(LINK_VALUE, VENDOR_VALUE));
});
text("remove without dropEmptyTable leaves an empty table that was the user's", () => {
  const shape = `[dependencies]\n${LINE}\n\n[extra]\n`;
  assert.is(withDependency(parseManifest(shape, 'm.toml'), 'upcloud_prov', undefined), '[dependencies]\n\n[extra]\n');
});
text('dropEmptyTable keeps a table that still has other entries', () => {
  const shape = `[a]\nb = 1\n\n[dependencies]\ncore = "1.0"\n${LINE}\n`;
  assert.is(withDependency(parseManifest(shape, 'm.toml'), 'upcloud_prov', undefined, { dropEmptyTable: true }), `[a]\nb = 1\n\n[dependencies]\ncore = "1.0"\n`);
});
text.run();

/** Shapes the line edit leaves to toml-patch: the result is still right as data. */
const FALLBACK: { name: string; text: string }[] = [
  { name: 'inline-table dependencies', text: 'dependencies = { core = "1.0" }\n\n[package]\nname = "x"\n' },
  { name: 'dotted keys', text: 'dependencies.core = "1.0"\n\n[package]\nname = "x"\n' },
  { name: '[dependencies.x] subtables', text: '[dependencies]\ncore = "1.0"\n\n[dependencies.net]\npath = "./net"\n' },
  { name: 'dotted keys inside the table', text: '[dependencies]\ncore.path = "./core"\n' },
  { name: 'an entry over several lines', text: '[dependencies]\ncore = [\n  "a",\n  "b",\n]\n' },
];

const fallback = suite('manifest.toml: shapes left to toml-patch');
for (const shape of FALLBACK) {
  fallback(`${shape.name}: not edited as text, still installed and removed as data`, () => {
    assert.is(editDependencyText(shape.text, 'upcloud_prov', LINK, false), undefined);
    const m = parseManifest(shape.text, 'm.toml');
    const others = getDependency(m, 'core');
    const added = parseManifest(withDependency(m, 'upcloud_prov', LINK), 'm.toml');
    assert.equal(getDependency(added, 'upcloud_prov'), LINK);
    assert.equal(getDependency(added, 'core'), others);
    const removed = parseManifest(withDependency(added, 'upcloud_prov', undefined), 'm.toml');
    assert.is(getDependency(removed, 'upcloud_prov'), undefined);
    assert.equal(getDependency(removed, 'core'), others);
  });
}
fallback.run();

const flow = suite('manifest.toml: install then remove through the real commands');
flow('QA repro: the comment closing [dependencies] survives install + remove', async () => {
  const shape = SHAPES[0]!.text;
  const t = await example();
  await writeFile(t.toml, original(shape));
  await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), installed(shape));
  await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), original(shape));
});
flow('a table install created (CRLF, no trailing newline) goes again on remove, byte for byte', async () => {
  const before = '[package]\r\nname = "wuji"\t# tab';
  const t = await example();
  await writeFile(t.toml, before);
  await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), `${before}\r\n\r\n[dependencies]\r\n${LINE}`);
  await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), before);
});
flow.run();
