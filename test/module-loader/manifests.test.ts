import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { getDependency, hasDependenciesTable, parseManifest, withDependency } from '../../lib/manifest/dependencies.ts';
import { getRecord, listRecords, recordFields } from '../../lib/manifest/records-read.ts';
import { deleteRecord, parseRecordsFile, recordsText, setRecord } from '../../lib/manifest/records.ts';

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
