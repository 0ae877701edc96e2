import { access, readFile, rm } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getRecord, recordFields } from '../../../lib/formats/records/index.ts';
import { deleteRecord, parseRecordsFile, recordsText, setFlag, setRecord } from '../../../lib/formats/records/index.ts';
import { installProvider } from '../../../lib/infra/install.ts';
import { removeProvider } from '../../../lib/infra/remove.ts';
import { example } from '../../helpers/example.ts';

const AWS = { module: 'aws_prov', mode: 'link' as const, version: '0.2.0', source: 'extensions/providers/aws/nickel', language: 'nickel' as const };
const ENTRY = '  aws:\n    module: aws_prov\n    mode: link\n    version: 0.2.0\n    source: extensions/providers/aws/nickel\n    language: nickel\n';

/** The comment lines of a text, in order, each with its inline position stripped to the comment itself. */
function comments(text: string): string[] {
  return text.split('\n').flatMap((line) => (line.includes('#') ? [line.slice(line.indexOf('#'))] : []));
}

/**
 * An empty `providers:` map in the shapes people write, what adding the first entry gives (only
 * the header line's value changes, the entry goes right after it, below a deeper-indented note),
 * and what removing it again gives: `providers: {}` always at the format's level, so the `{}` shapes come
 * back byte for byte; through install and remove every shape does (the infra edit remembers the form).
 */
const SHAPES: { name: string; text: string; added: string; removed: string }[] = [
  {
    name: 'bare providers: between a header and a footer comment',
    text: '# header\nproviders:\n# footer comment\n',
    added: `# header\nproviders:\n${ENTRY}# footer comment\n`,
    removed: '# header\nproviders: {}\n# footer comment\n',
  },
  {
    name: 'bare providers: with an inline comment and an indented note',
    text: 'providers:   # all providers\n  # none yet\n',
    added: `providers:   # all providers\n  # none yet\n${ENTRY}`,
    removed: 'providers: {}  # all providers\n  # none yet\n',
  },
  {
    name: 'providers: {} with an inline comment and a trailing one',
    text: 'providers: {}   # inline\n# trailing\n',
    added: `providers:    # inline\n${ENTRY}# trailing\n`,
    removed: 'providers: {}   # inline\n# trailing\n',
  },
  {
    name: 'providers: {} with a footer comment',
    text: 'providers: {}\n# footer comment\n',
    added: `providers:\n${ENTRY}# footer comment\n`,
    removed: 'providers: {}\n# footer comment\n',
  },
  {
    name: 'providers: {} under a header comment',
    text: '# Providers used by wuji.\nproviders: {}\n',
    added: `# Providers used by wuji.\nproviders:\n${ENTRY}`,
    removed: '# Providers used by wuji.\nproviders: {}\n',
  },
];

const empty = suite('providers.manifest.yaml: an empty providers map is edited as text, every comment in place');
for (const shape of SHAPES) {
  empty(`${shape.name}: first entry, then none again`, () => {
    const file = parseRecordsFile(shape.text, 'p.yaml');
    setRecord(file, 'aws', recordFields(AWS));
    const added = recordsText(file);
    assert.is(added, shape.added);
    const again = parseRecordsFile(added, 'p.yaml');
    assert.equal(getRecord(again, 'aws'), AWS);
    deleteRecord(again, 'aws');
    const removed = recordsText(again);
    assert.is(removed, shape.removed);
    assert.equal(comments(removed), comments(shape.text), 'same comments, same order, same text');
    if (shape.text.includes('{}')) assert.is(removed, shape.text, 'a {} map comes back byte for byte');
  });
  empty(`${shape.name}: install → remove through the tasks`, async () => {
    const t = await example({ 'workspace/infra/wuji/providers.manifest.yaml': shape.text });
    await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
    const installed = await readFile(t.yaml, 'utf8');
    assert.equal(comments(installed), comments(shape.text));
    assert.ok(getRecord(parseRecordsFile(installed, 'p.yaml'), 'upcloud'));
    await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
    const removed = await readFile(t.yaml, 'utf8');
    // Through the tasks the empty map's own form is remembered (`empty_providers`): every shape comes
    // back byte for byte. (This asserted `shape.removed`, the `providers: {}` the format alone writes.)
    assert.is(removed, shape.text);
    assert.equal(comments(removed), comments(shape.text));
  });
}
empty('a second entry goes after the first; removing both restores the empty map', () => {
  const file = parseRecordsFile(SHAPES[2]!.text, 'p.yaml');
  setRecord(file, 'aws', recordFields(AWS));
  const one = parseRecordsFile(recordsText(file), 'p.yaml');
  setRecord(one, 'local', recordFields({ ...AWS, module: 'local_prov' }));
  const two = recordsText(one);
  assert.ok(two.startsWith(`providers:    # inline\n${ENTRY}  local:\n`));
  const back = parseRecordsFile(two, 'p.yaml');
  deleteRecord(back, 'aws');
  deleteRecord(back, 'local');
  assert.is(recordsText(back), SHAPES[2]!.text);
});
empty('a top-level flag set with the first entry goes right after it; both removed: byte for byte', () => {
  const text = '# c\nproviders: {}  # none\n# end\n';
  const file = parseRecordsFile(text, 'p.yaml');
  setFlag(file, 'created_dependencies_table', true);
  setRecord(file, 'aws', recordFields(AWS));
  const added = recordsText(file);
  assert.is(added, `# c\nproviders:   # none\n${ENTRY}created_dependencies_table: true\n# end\n`);
  const again = parseRecordsFile(added, 'p.yaml');
  setFlag(again, 'created_dependencies_table', false);
  deleteRecord(again, 'aws');
  assert.is(recordsText(again), text);
});
empty('a flag dropped from a file whose providers: is bare leaves the rest alone', () => {
  const file = parseRecordsFile('providers:   # none\n# c\ncreated_dependencies_table: true\n# end\n', 'p.yaml');
  setFlag(file, 'created_dependencies_table', false);
  assert.is(recordsText(file), 'providers:   # none\n# c\n# end\n');
});
empty("the entries take the file's indent from another nested map", () => {
  const text = 'meta:\n    owner: ops  # who\nproviders: {}\n';
  const file = parseRecordsFile(text, 'p.yaml');
  setRecord(file, 'aws', recordFields(AWS));
  const entry = '    aws:\n        module: aws_prov\n        mode: link\n        version: 0.2.0\n        source: extensions/providers/aws/nickel\n        language: nickel\n';
  assert.is(recordsText(file), `${text.replace('providers: {}', 'providers:')}${entry}`);
});
empty('providers: ~ and a text without a final newline', () => {
  for (
    const [text, removed] of [
      ['providers: ~ # none\n', 'providers: {} # none\n'],
      ['# c\nproviders: {}', '# c\nproviders: {}\n'],
      ['# c\nproviders:', '# c\nproviders: {}\n'],
    ] as const
  ) {
    const file = parseRecordsFile(text, 'p.yaml');
    setRecord(file, 'aws', recordFields(AWS));
    const added = recordsText(file);
    assert.equal(comments(added), comments(text));
    const again = parseRecordsFile(added, 'p.yaml');
    assert.equal(getRecord(again, 'aws'), AWS);
    deleteRecord(again, 'aws');
    assert.is(recordsText(again), removed);
  }
});
empty('a file without a providers: key gets one after its last key; a comments-only file keeps its comments', () => {
  const file = parseRecordsFile('# c\nother: 1  # kept\n', 'p.yaml');
  setRecord(file, 'aws', recordFields(AWS));
  assert.is(recordsText(file), `# c\nother: 1  # kept\nproviders:\n${ENTRY}`);
  const bare = parseRecordsFile('# just notes\n', 'p.yaml');
  setRecord(bare, 'aws', recordFields(AWS));
  const text = recordsText(bare);
  assert.match(text, '# just notes');
  assert.not.match(text, 'Providers installed in this infra');
  assert.equal(getRecord(parseRecordsFile(text, 'p.yaml'), 'aws'), AWS);
});
empty('odd shapes still fall back to the Document API and say the right thing', () => {
  for (const text of ['providers: {old: {module: old_prov, mode: link}}\n', 'providers: &p {}\n', 'providers: !!map {}\n', 'providers:\n  {}\n']) {
    const file = parseRecordsFile(text, 'p.yaml');
    setRecord(file, 'aws', recordFields(AWS));
    const again = parseRecordsFile(recordsText(file), 'p.yaml');
    assert.equal(getRecord(again, 'aws'), AWS, text);
  }
});
// (This case asserted finding 7 of issue 8, "the file stays"; the file the tool made now goes: test/infra/whose-bytes.test.ts.)
empty('a new file is created with a header comment; removing the last entry removes the file install made', async () => {
  const t = await example();
  await rm(t.yaml);
  await installProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  const created = await readFile(t.yaml, 'utf8');
  assert.ok(created.startsWith('# Providers installed in this infra.'), created);
  assert.ok(getRecord(parseRecordsFile(created, 'p.yaml'), 'upcloud'));
  await removeProvider({ config: t.config, provider: 'upcloud', infra: 'wuji' });
  assert.is(await access(t.yaml).then(() => 'there', () => 'gone'), 'gone');
});
empty.run();
