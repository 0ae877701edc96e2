import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertVersion, isPinned } from '../lib/versions.ts';
import { codeOfSync } from './helpers/codes.ts';

const versions = suite('versions');
// semver 2.0.0 allows build metadata after `+`: it is part of the version as written.
for (const good of ['1.2.3', '0.0.1', '1.0.0-rc.1', '1.0.0+build.5', '1.0.0-rc.1+exp.sha.5114f85', '10.20.30+20250101']) {
  versions(`accepts ${good}`, () => {
    assert.is(assertVersion(good, '--ver'), good);
    assert.ok(isPinned(good));
  });
}
for (const bad of ['', 'v1.0.0', '=1.0.0', ' 1.0.0', '1.0', '1.0.0+', '1.0.0+a..b', '01.0.0', '^1.0.0']) {
  versions(`refuses ${JSON.stringify(bad)}`, () => assert.is(codeOfSync(() => assertVersion(bad, '--ver')), 'INVALID_OPTION'));
}
versions('a manifest version is MANIFEST_INVALID, with a hint to the version it means', () => {
  assert.is(codeOfSync(() => assertVersion('v1.0.0', 'manifest.toml')), 'MANIFEST_INVALID');
});
versions.run();
