/**
 * SPEC "Whose bytes are whose": the tool edits only what it made. Each case here was found by a
 * new user's run and is named after what it guards: a symlinked infra never leads an edit into
 * another tree; a line, table, record or file that was there before install is there after
 * remove, byte for byte and line ending for line ending; a hand-edited record is DRIFT for every
 * verb; an infra folder comes back as it was.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { syncInfras } from '../../lib/infra/sync.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { codeOf } from '../helpers/codes.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { exampleTree, testdir } from '../helpers/testdir.ts';
import { example } from '../helpers/example.ts';
import { pack, prodTree } from '../helpers/prod-tree.ts';

const links = suite('whose bytes: a symlink never leads an edit outside the tree');

links('a symlinked infra folder is refused (LINK_CONFLICT) by install, remove, sync and vendor, and the other tree is untouched', async () => {
  const other = await exampleTree();
  const t = await prodTree();
  await pack(t.root, 'aws');
  const config = await t.config();
  await symlink(path.join(other, 'workspace/infra/wuji'), path.join(t.root, 'workspace/infra/linked'));
  const before = await snapshot(other);
  assert.is(await codeOf(installProvider({ config, provider: 'aws', infra: 'linked' })), 'LINK_CONFLICT');
  assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'linked', force: true })), 'LINK_CONFLICT');
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'linked', range: '*' })), 'LINK_CONFLICT');
  assert.is(await codeOf(syncInfras({ config, infra: 'linked' })), 'LINK_CONFLICT');
  assert.equal((await syncInfras({ config })).map((r) => r.infra), ['wuji'], 'a sync of every infra passes it by (validate reports it)');
  assert.equal(await snapshot(other), before, 'not one byte of the other tree changed');
});

links('validate reports a symlinked infra folder instead of following it', async () => {
  const other = await exampleTree();
  const { config, root } = await example();
  await symlink(path.join(other, 'workspace/infra/wuji'), path.join(root, 'workspace/infra/linked'));
  const result = await validateInfras({ config });
  assert.ok(result.errors.some((p) => p.code === 'LINK_CONFLICT' && p.message.includes('linked')), JSON.stringify(result.errors));
});

links('a providers.manifest.yaml that is a symlink out of the tree is refused before anything is written', async () => {
  const outside = await testdir({ 'records.yaml': 'providers: {}\n' });
  const { config, root, yaml } = await example();
  await rm(yaml);
  await symlink(path.join(outside, 'records.yaml'), yaml);
  const before = { tree: await snapshot(root), outside: await snapshot(outside) };
  assert.is(await codeOf(installProvider({ config, provider: 'aws', infra: 'wuji' })), 'LINK_CONFLICT');
  assert.equal(await snapshot(root), before.tree);
  assert.equal(await snapshot(outside), before.outside);
});

links.run();

const lines = suite('whose bytes: what was there before install stays after remove');

const HAND_WRITTEN: [string, string][] = [
  ['an inline line', '[dependencies]\nupcloud_prov = { path = "./.nickel-modules/upcloud_prov" }\n'],
  ['a quoted key', '[dependencies]\n"upcloud_prov" = { path = "./.nickel-modules/upcloud_prov" }   # mine\n'],
  ['a sub-table', '[package]\nname = "wuji"\n\n[dependencies.upcloud_prov]\npath = "./.nickel-modules/upcloud_prov"\n'],
  ['a dotted key', '[dependencies]\nupcloud_prov.path = "./.nickel-modules/upcloud_prov"\n'],
];

for (const [shape, toml] of HAND_WRITTEN) {
  lines(`a hand-written dependency line (${shape}) install found in place is left byte for byte by remove`, async () => {
    const t = await example({ 'workspace/infra/wuji/manifest.toml': toml });
    await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
    assert.is(await readFile(t.toml, 'utf8'), toml, 'install found its entry already there');
    await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
    assert.is(await readFile(t.toml, 'utf8'), toml);
  });
}

lines('a hand-written line stays through install, vendor and remove (vendor pins it, remove puts the link entry back)', async () => {
  const toml = '[dependencies]\naws_prov = { path = "./.nickel-modules/aws_prov" }\n';
  const t = await prodTree('', { 'workspace/infra/wuji/manifest.toml': toml });
  await pack(t.root, 'aws');
  const config = await t.config();
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  assert.match(await readFile(t.toml, 'utf8'), 'aws_prov = { path = "./vendor/aws_prov", version = "0.2.0" }');
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), toml);
});

lines('an infra without providers.manifest.yaml or manifest.toml gets its folder back as it was after install then remove', async () => {
  const t = await example();
  await rm(t.yaml);
  await rm(t.toml);
  const before = await snapshot(t.wuji);
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.ok(existsSync(t.yaml) && existsSync(t.toml));
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.equal(await snapshot(t.wuji), before);
});

lines('a records file the tool made but the user has since written in is kept when its last provider goes', async () => {
  const t = await example();
  await rm(t.yaml);
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  await writeFile(t.yaml, `# my note\n${await readFile(t.yaml, 'utf8')}`);
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.match(await readFile(t.yaml, 'utf8'), '# my note');
  assert.not.match(await readFile(t.yaml, 'utf8'), 'aws');
});

lines('providers:sync creates no providers.manifest.yaml (nor manifest.toml) in an infra that has none', async () => {
  const t = await example({ 'workspace/infra/bare/README.md': 'no manifests yet\n' });
  const bare = path.join(t.root, 'workspace/infra/bare');
  const before = await snapshot(bare);
  const reports = await syncInfras({ config: t.config });
  assert.equal(reports.flatMap((r) => r.problems), []);
  assert.equal(await snapshot(bare), before);
  assert.equal(await readdir(bare), ['README.md']);
});

lines('a CRLF providers.manifest.yaml keeps CRLF line endings through install, and its bytes through remove', async () => {
  const crlf = '# records\r\nproviders: {}\r\n';
  const t = await example({ 'workspace/infra/wuji/providers.manifest.yaml': crlf });
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  const installed = await readFile(t.yaml, 'utf8');
  assert.match(installed, 'aws:');
  assert.not.match(installed.replace(/\r\n/g, ''), '\n', 'every line ends in CRLF');
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.yaml, 'utf8'), crlf);
});

lines('a CRLF manifest.toml keeps CRLF through install and its bytes through remove', async () => {
  const crlf = '[package]\r\nname = "wuji"\r\n';
  const t = await example({ 'workspace/infra/wuji/manifest.toml': crlf });
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.not.match((await readFile(t.toml, 'utf8')).replace(/\r\n/g, ''), '\n');
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), crlf);
});

lines('an empty providers map written on its own line under comments comes back byte for byte after install then remove', async () => {
  const yaml = 'providers: # the list\n  # nothing yet\n  {}\n';
  const t = await example({ 'workspace/infra/wuji/providers.manifest.yaml': yaml });
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.match(await readFile(t.yaml, 'utf8'), '# nothing yet');
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.yaml, 'utf8'), yaml);
});

lines.run();

const edited = suite('whose bytes: a record edited by hand is DRIFT for install, remove, sync and vendor');

const EDITED: [string, string][] = [
  ['a source pointing elsewhere', 'providers:\n  aws:\n    module: aws_prov\n    mode: link\n    version: 0.2.0\n    source: /etc\n    language: nickel\n'],
  ['a record that is not a mapping', 'providers:\n  aws: 5\n'],
  ['another module', 'providers:\n  aws:\n    module: upcloud_prov\n    mode: link\n    version: 0.2.0\n    source: extensions/providers/aws/nickel\n    language: nickel\n'],
];

for (const [what, yaml] of EDITED) {
  edited(`${what}: install again is DRIFT and changes nothing; --force replaces it`, async () => {
    const t = await example({ 'workspace/infra/wuji/providers.manifest.yaml': yaml });
    const before = await snapshot(t.root);
    assert.is(await codeOf(installProvider({ config: t.config, provider: 'aws', infra: 'wuji' })), 'DRIFT');
    assert.equal(await snapshot(t.root), before);
    await installProvider({ config: t.config, provider: 'aws', infra: 'wuji', force: true });
    assert.match(await readFile(t.yaml, 'utf8'), 'source: extensions/providers/aws/nickel');
  });

  edited(`${what}: remove, sync and vendor are DRIFT too, and change nothing`, async () => {
    const t = await prodTree('', { 'workspace/infra/wuji/providers.manifest.yaml': yaml });
    await pack(t.root, 'aws');
    const config = await t.config();
    const before = await snapshot(t.root);
    assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'wuji' })), 'DRIFT');
    const [report] = await syncInfras({ config, infra: 'wuji' });
    assert.ok(report!.problems.some((p) => p.code === 'DRIFT'), JSON.stringify(report!.problems));
    assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' })), 'DRIFT');
    assert.equal(await snapshot(t.root), before);
  });
}

edited.run();

const review = suite('whose bytes: what a review of the infra edit found');

review('remove with no record leaves a hand-written dependency line and a hand-made link (DRIFT until --force)', async () => {
  const toml = '[dependencies]\naws_prov = { path = "./.nickel-modules/aws_prov" } # mine\n';
  const t = await example({
    'workspace/infra/wuji/manifest.toml': toml,
    'workspace/infra/wuji/.nickel-modules/aws_prov': { symlink: '../../../../extensions/providers/aws/nickel' },
  });
  const before = await snapshot(t.root);
  assert.is(await codeOf(removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' })), 'DRIFT');
  assert.equal(await snapshot(t.root), before);
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji', force: true });
  assert.not.match(await readFile(t.toml, 'utf8'), 'aws_prov');
});

review('vendor then remove in an infra that had no files gives the folder back as it was', async () => {
  const t = await prodTree('', { 'workspace/infra/fresh/README.md': 'new infra\n' });
  await pack(t.root, 'aws');
  const config = await t.config();
  const fresh = path.join(t.root, 'workspace/infra/fresh');
  const before = await snapshot(fresh);
  await vendorProvider({ config, provider: 'aws', infra: 'fresh', range: '*' });
  await removeProvider({ config, provider: 'aws', infra: 'fresh' });
  assert.equal(await snapshot(fresh), before);
});

review('a hand-written vendor pin stays byte for byte through vendor and remove', async () => {
  const toml = '[dependencies]\naws_prov = { path = "./vendor/aws_prov", version = "0.2.0" } # pinned by hand\n';
  const t = await prodTree('', { 'workspace/infra/wuji/manifest.toml': toml });
  await pack(t.root, 'aws');
  const config = await t.config();
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  assert.is(await readFile(t.toml, 'utf8'), toml);
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), toml);
});

review('a hand-written line in its own spacing comes back byte for byte after install, vendor and remove', async () => {
  const toml = '[dependencies]\naws_prov = {path="./.nickel-modules/aws_prov"}  # mine\n';
  const t = await prodTree('', { 'workspace/infra/wuji/manifest.toml': toml });
  await pack(t.root, 'aws');
  const config = await t.config();
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.toml, 'utf8'), toml);
});

const EMPTY_SHAPES: [string, string][] = [
  ['a bare providers: with a comment after it', '# header\nproviders:\n# footer\n'],
  ['providers: ~ with an inline comment', 'providers: ~ # none\n'],
  ['providers: null', 'providers: null\n'],
  ['an own-line {} indented by four', 'providers:\n    # none yet\n    {}\n'],
  ['a file without a providers: key', '# notes\nother: 1  # kept\n'],
];

for (const [shape, yaml] of EMPTY_SHAPES) {
  review(`${shape}: install then remove gives the records file back byte for byte`, async () => {
    const t = await example({ 'workspace/infra/wuji/providers.manifest.yaml': yaml });
    await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
    assert.match(await readFile(t.yaml, 'utf8'), 'aws_prov');
    await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
    assert.is(await readFile(t.yaml, 'utf8'), yaml);
  });
}

const RECORD_EDITS: [string, (yaml: string) => string][] = [
  ['a vendor record whose source was edited', (y) => y.replace(/source: .*/, 'source: /somewhere/else.tar')],
  ['a vendor record whose integrity was edited', (y) => y.replace(/integrity: sha256-[A-Za-z0-9+/]{10}/, 'integrity: sha256-AAAAAAAAAA')],
];

for (const [what, change] of RECORD_EDITS) {
  review(`${what} is DRIFT for remove and vendor; --force goes ahead`, async () => {
    const t = await prodTree();
    await pack(t.root, 'aws');
    const config = await t.config();
    await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
    await writeFile(t.yaml, change(await readFile(t.yaml, 'utf8')));
    const before = await snapshot(t.root);
    assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'wuji' })), 'DRIFT');
    assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' })), 'DRIFT');
    assert.equal(await snapshot(t.root), before);
    await removeProvider({ config, provider: 'aws', infra: 'wuji', force: true });
  });
}

review('pack:clean keeps a version vendored by an infra folder with an invalid name', async () => {
  const t = await prodTree();
  await pack(t.root, 'aws', { ver: '0.1.0' });
  await pack(t.root, 'aws');
  const config = await t.config();
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.1.0' });
  const { rename } = await import('node:fs/promises');
  await rename(t.wuji, path.join(t.root, 'workspace/infra/Staging'));
  const { vendoredVersions } = await import('../../lib/infra/vendored-versions.ts');
  assert.equal([...(await vendoredVersions(config)).keys()], ['aws_prov@0.1.0']);
});

review.run();
