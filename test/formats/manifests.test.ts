import { readFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { getDependency, hasDependenciesTable, parseManifest, withDependency } from '../../lib/formats/toml/dependencies.ts';
import { getRecord, listRecords, recordFields } from '../../lib/formats/records/index.ts';
import { deleteRecord, parseRecordsFile, recordsText, setFlag, setRecord } from '../../lib/formats/records/index.ts';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { example } from '../helpers/example.ts';

const ALIGNED = `# wuji: staging.
[package]
name    = "wuji"          # infra name
version = "0.1.0"

[dependencies]
# Core schemas, always from the source tree.
provisioning_core = { path = "../../../nickel" }   # aligned comment

[extra]
key = 1
`;
const ENTRY = { path: './.nickel-modules/upcloud_prov' };

const toml = suite('manifest.toml edits (toml-patch)');
toml('adding then removing an entry restores every byte, comments and alignment included', () => {
  const added = withDependency(parseManifest(ALIGNED, 'm.toml'), 'upcloud_prov', ENTRY);
  assert.match(added, 'upcloud_prov = { path = "./.nickel-modules/upcloud_prov" }');
  assert.match(added, '"../../../nickel" }   # aligned comment');
  assert.equal(getDependency(parseManifest(added, 'm.toml'), 'upcloud_prov'), ENTRY);
  assert.is(withDependency(parseManifest(added, 'm.toml'), 'upcloud_prov', undefined), ALIGNED);
});
toml('setting an entry to what it already is returns the same text', () => {
  const added = withDependency(parseManifest(ALIGNED, 'm.toml'), 'upcloud_prov', ENTRY);
  assert.is(withDependency(parseManifest(added, 'm.toml'), 'upcloud_prov', { ...ENTRY }), added);
});
toml('a [dependencies] table created for the entry goes again with dropEmptyTable', () => {
  const bare = '# no deps yet\n[package]\nname = "x"  # kept\n';
  const m = parseManifest(bare, 'm.toml');
  assert.not.ok(hasDependenciesTable(m));
  const added = withDependency(m, 'aws_prov', ENTRY);
  assert.ok(hasDependenciesTable(parseManifest(added, 'm.toml')));
  assert.is(withDependency(parseManifest(added, 'm.toml'), 'aws_prov', undefined, { dropEmptyTable: true }), bare);
});
toml('a malformed manifest is MANIFEST_PARSE with its line and column', () => {
  try {
    parseManifest('[package]\nname = "x"\nversion = \n', 'bad.toml');
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'MANIFEST_PARSE');
    assert.is((error as ProvisioningError).line, 3);
    assert.ok((error as ProvisioningError).column);
  }
});
toml('a dependencies key that is not a table is MANIFEST_INVALID', () => {
  try {
    parseManifest('dependencies = 3\n', 'bad.toml');
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'MANIFEST_INVALID');
  }
});
toml.run();

const YAML = `# Providers used by wuji.
providers:
  # the staging cloud
  upcloud:
    module: upcloud_prov # inline note
    mode: link
    version: 0.0.1
    source: extensions/providers/upcloud/nickel
    language: nickel
# trailing comment
`;
const AWS = { module: 'aws_prov', mode: 'link' as const, version: '0.2.0', source: 'extensions/providers/aws/nickel', language: 'nickel' as const };

const yaml = suite('providers.manifest.yaml edits (Document API)');
yaml('comments survive adding and deleting records', () => {
  const file = parseRecordsFile(YAML, 'p.yaml');
  setRecord(file, 'aws', recordFields(AWS));
  const text = recordsText(file);
  for (const comment of ['# Providers used by wuji.', '# the staging cloud', '# inline note', '# trailing comment']) assert.match(text, comment);
  const again = parseRecordsFile(text, 'p.yaml');
  assert.equal(getRecord(again, 'aws'), AWS);
  deleteRecord(again, 'aws');
  const removed = recordsText(again);
  for (const comment of ['# Providers used by wuji.', '# the staging cloud', '# inline note', '# trailing comment']) assert.match(removed, comment);
  assert.is(getRecord(parseRecordsFile(removed, 'p.yaml'), 'aws'), undefined);
  assert.ok(getRecord(parseRecordsFile(removed, 'p.yaml'), 'upcloud'));
});
yaml('an unchanged document keeps its exact bytes', () => {
  const file = parseRecordsFile(YAML, 'p.yaml');
  setRecord(file, 'upcloud', recordFields({ ...AWS, module: 'upcloud_prov', version: '0.0.1', source: 'extensions/providers/upcloud/nickel' }));
  assert.is(recordsText(file), YAML);
});
yaml('emptying the map writes providers: {} back', () => {
  const file = parseRecordsFile('# c\nproviders: {}\n', 'p.yaml');
  setRecord(file, 'aws', recordFields(AWS));
  const added = parseRecordsFile(recordsText(file), 'p.yaml');
  deleteRecord(added, 'aws');
  assert.is(recordsText(added), '# c\nproviders: {}\n');
});
yaml('switching vendor → link drops integrity; link → vendor adds it', () => {
  const file = parseRecordsFile(YAML, 'p.yaml');
  setRecord(file, 'upcloud', recordFields({ ...AWS, module: 'upcloud_prov', mode: 'vendor', integrity: 'sha256-abc' }));
  assert.is(getRecord(parseRecordsFile(recordsText(file), 'p.yaml'), 'upcloud')?.integrity, 'sha256-abc');
  setRecord(file, 'upcloud', recordFields({ ...AWS, module: 'upcloud_prov' }));
  assert.not.match(recordsText(file), 'integrity');
  assert.match(recordsText(file), '# inline note');
});
yaml('a syntax error is MANIFEST_PARSE with line and column', () => {
  try {
    parseRecordsFile('providers:\n  a: [1\n  b: 2\n', 'bad.yaml');
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'MANIFEST_PARSE');
    assert.is((error as ProvisioningError).line, 3);
    assert.is((error as ProvisioningError).column, 3);
  }
});
yaml('malformed records are reported with their position, not thrown', () => {
  const entries = listRecords(parseRecordsFile('providers:\n  aws: 3\n  local:\n    module: local_prov\n    mode: copy\n', 'p.yaml'));
  assert.equal(entries.map((e) => [e.name, e.problems[0]?.code, e.line]), [['aws', 'MANIFEST_INVALID', 2], ['local', 'MANIFEST_INVALID', 3]]);
});
yaml.run();

/** A hand-kept yaml: 4-space indent, a long single-quoted string, a padded flow sequence, comments. */
const STYLED = `# Providers for wuji — reviewed by ops, do not reformat
---
providers:
    # the legacy one, kept for the migration (ticket OPS-1234)
    legacy:
        module: legacy_prov
        mode: link
        version: "0.1.0"
        source: extensions/providers/legacy/nickel
        language: nickel
        notes: 'this is a deliberately long single-quoted note that goes past eighty columns to see whether it is folded'
        tags: [a, b,   c]   # spacing kept

    # staging
    upcloud:
        module: upcloud_prov
        mode: link
        version: 0.0.1
        source: extensions/providers/upcloud/nickel
        language: nickel
# end of list
`;

const styled = suite("providers.manifest.yaml edits keep the user's formatting");
styled("adding an entry leaves every byte outside it unchanged, in the file's own indent; deleting it restores the file byte-for-byte", () => {
  const file = parseRecordsFile(STYLED, 'p.yaml');
  setRecord(file, 'aws', recordFields(AWS));
  const added = recordsText(file);
  const entry = '    aws:\n        module: aws_prov\n        mode: link\n        version: 0.2.0\n        source: extensions/providers/aws/nickel\n        language: nickel\n';
  assert.is(added, STYLED.replace('# end of list\n', `${entry}# end of list\n`));
  const again = parseRecordsFile(added, 'p.yaml');
  deleteRecord(again, 'aws');
  assert.is(recordsText(again), STYLED);
});
styled('changing one entry rewrites only that entry', () => {
  const file = parseRecordsFile(STYLED, 'p.yaml');
  setRecord(file, 'upcloud', recordFields({ ...AWS, module: 'upcloud_prov', mode: 'vendor', version: '0.0.2', integrity: 'sha256-abc', source: 'x.tar' }));
  const text = recordsText(file);
  assert.is(text.slice(0, text.indexOf('    upcloud:')), STYLED.slice(0, STYLED.indexOf('    upcloud:')));
  assert.match(text, '        integrity: sha256-abc\n# end of list\n');
  assert.equal(getRecord(parseRecordsFile(text, 'p.yaml'), 'upcloud')?.version, '0.0.2');
});
styled('install of another provider, then remove: the styled yaml is restored byte-for-byte', async () => {
  const t = await example({ 'workspace/infra/wuji/providers.manifest.yaml': STYLED });
  await installProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  const after = await readFile(t.yaml, 'utf8');
  const start = after.indexOf('    aws:\n');
  const end = after.indexOf('# end of list');
  assert.ok(start > 0);
  assert.is(after.slice(0, start) + after.slice(end), STYLED, 'every byte outside the new entry is unchanged');
  assert.match(after.slice(start, end), 'module: aws_prov');
  await removeProvider({ config: t.config, provider: 'aws', infra: 'wuji' });
  assert.is(await readFile(t.yaml, 'utf8'), STYLED);
});
styled('a top-level flag added with an entry, then both removed: byte-for-byte again', () => {
  const file = parseRecordsFile(STYLED, 'p.yaml');
  setFlag(file, 'created_dependencies_table', true);
  setRecord(file, 'aws', recordFields(AWS));
  const added = recordsText(file);
  assert.ok(added.startsWith(STYLED.slice(0, STYLED.indexOf('# end of list'))));
  assert.match(added, 'created_dependencies_table: true');
  const again = parseRecordsFile(added, 'p.yaml');
  setFlag(again, 'created_dependencies_table', false);
  deleteRecord(again, 'aws');
  assert.is(recordsText(again), STYLED);
});
styled.run();
