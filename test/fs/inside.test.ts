/**
 * Inside or outside a folder: `..` is a path segment, not a prefix. A file named `..data.ncl` (or a
 * folder `..x`) is inside; only `..` itself, and what goes through it, is outside.
 */
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isInside, leavesFolder } from '../../lib/fs/inside.ts';
import { packOne, packTree, providerFiles } from '../helpers/pack-tree.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { testPacks } from '../../lib/pack-test/test-packs.ts';

const t = suite('fs: inside a folder');

t('a name that starts with two dots is inside; `..` and what passes through it is not', () => {
  const cases: [string, boolean][] = [
    ['/a/..data.ncl', true],
    ['/a/..x/y', true],
    ['/a/b/../..x', true],
    ['/a', true],
    ['/a/b', true],
    ['/a/..', false],
    ['/a/../b', false],
    ['/ab', false],
    ['/', false],
    ['/a/b/../../c', false],
  ];
  for (const [child, inside] of cases) assert.is(isInside('/a', child), inside, child);
  assert.equal(['..data', `..${path.sep}x`, '..', '', 'x/../..'].map(leavesFolder), [false, true, true, false, true]);
});

t('a module file named ..data.ncl packs, extracts and passes pack:test (never UNSAFE_ARCHIVE_ENTRY)', async () => {
  const root = await packTree({
    tree: {
      ...providerFiles('aws'),
      'extensions/providers/aws/nickel/..data.ncl': '{ v = 1 }\n',
      'extensions/providers/aws/nickel/defaults_aws.ncl': 'let x = import "..data.ncl" in { zone = "z1", plan = "small", v = x.v }\n',
    },
  });
  await packOne(root, 'aws');
  const result = await testPacks({ config: await loadConfig({ root }) });
  assert.equal(result.problems, []);
});

t.run();
