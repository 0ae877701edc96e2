import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate } from '../../lib/config/interpolate.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { ProvisioningError } from '../../lib/errors.ts';
import { codeOfSync } from '../helpers/codes.ts';
import { testdir } from '../helpers/testdir.ts';

const config = suite('config');
config('interpolates nested placeholders', () => {
  const out = interpolate({ paths: { base: '/r' }, a: { x: '{{paths.base}}/x', y: '{{a.x}}/y' } });
  assert.equal(out.a, { x: '/r/x', y: '/r/x/y' });
});
config('unknown placeholder names the key', () => {
  try {
    interpolate({ a: { x: '{{nope.key}}' } });
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'CONFIG_INVALID');
    assert.match((error as Error).message, 'nope.key');
  }
});
config('a cycle is an error', () => {
  assert.is(codeOfSync(() => interpolate({ a: { x: '{{a.y}}', y: '{{a.x}}' } })), 'CONFIG_INVALID');
});
config('root config overrides defaults key by key', async () => {
  const root = await testdir({
    'extensions/providers/.keep': '',
    'config/config.toml': '[distribution]\npack_path = "{{paths.base}}/out"\n[distribution.metadata]\nlicense = "Apache-2.0"\n',
  });
  const cfg = await loadConfig({ root });
  assert.is(cfg.distribution.packPath, `${root}/out`);
  assert.is(cfg.distribution.registryPath, `${root}/distribution/registry`);
  assert.is(cfg.distribution.metadata.license, 'Apache-2.0');
  assert.is(cfg.distribution.metadata.homepage, 'https://github.com/jesusperezlorenzo/provisioning');
  assert.is(cfg.nickel.modulesDir, '.nickel-modules');
});
config('a malformed config.toml is MANIFEST_PARSE at its line', async () => {
  const root = await testdir({ 'extensions/providers/.keep': '', 'config/config.toml': '[distribution]\npack_path = \n' });
  try {
    await loadConfig({ root });
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'MANIFEST_PARSE');
    assert.is((error as ProvisioningError).line, 2);
  }
});
config.run();
