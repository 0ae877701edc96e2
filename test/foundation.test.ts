import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate } from '../lib/config/interpolate.ts';
import { loadConfig } from '../lib/config/load.ts';
import { closest } from '../lib/did-you-mean.ts';
import { ProvisioningError } from '../lib/errors.ts';
import { assertName } from '../lib/names.ts';
import { findProvider } from '../lib/tree/providers.ts';
import { resolveRoot } from '../lib/tree/root.ts';
import { parseFlags, type FlagSpecs } from '../tasks/support/flags.ts';
import { codeOfSync } from './helpers/codes.ts';
import { testdir } from './helpers/testdir.ts';


const names = suite('names');
for (const bad of ['', '../x', 'a/b', '.hidden', '-flag', 'UpCloud', 'a b', 'x\0y', '..']) {
  names(`refuses ${JSON.stringify(bad)}`, () => assert.is(codeOfSync(() => assertName('provider', bad)), 'INVALID_NAME'));
}
for (const good of ['upcloud', 'aws', 'local', 'my_prov-2', '0day']) {
  names(`accepts ${good}`, () => assert.is(assertName('infra', good), good));
}
names('did you mean finds near names', () => {
  assert.is(closest('upclod', ['aws', 'local', 'upcloud']), 'upcloud');
  assert.is(closest('zzzzzz', ['aws', 'local', 'upcloud']), undefined);
});
names.run();

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

const root = suite('root');
root('--base wins over the environment', async () => {
  const a = await testdir({ 'extensions/providers/.keep': '' });
  const b = await testdir({ 'extensions/providers/.keep': '' });
  assert.is(resolveRoot({ base: a, env: { PROVISIONING: b } }), a);
  assert.is(resolveRoot({ env: { PROVISIONING: b, PROVISIONING_CONFIG: a } }), b);
  assert.is(resolveRoot({ env: { PROVISIONING_CONFIG: a } }), a);
  assert.is(resolveRoot({ env: {}, cwd: b }), b);
});
root('a folder without extensions/providers is ROOT_NOT_FOUND', async () => {
  const empty = await testdir();
  assert.is(codeOfSync(() => resolveRoot({ base: empty })), 'ROOT_NOT_FOUND');
});
root.run();

const flags = suite('flags');
const SPEC: FlagSpecs = { provider: { type: 'string', description: '' }, force: { type: 'boolean', description: '' } };
flags('reads --name value, --name=value and booleans; skips gulp-cli flags', () => {
  assert.equal(parseFlags(['providers:remove', '--provider', 'aws', '--force', '--silent', '--cwd', '/x'], SPEC), { provider: 'aws', force: true });
  assert.equal(parseFlags(['--provider=aws', '--force=false'], SPEC), { provider: 'aws', force: false });
});
flags('a typo is INVALID_OPTION with the nearest flag', () => {
  try {
    parseFlags(['--provder', 'aws'], SPEC);
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'INVALID_OPTION');
    assert.is((error as ProvisioningError).hint, 'did you mean --provider?');
  }
});
flags("another task's flag is refused alone, tolerated when that task runs too", () => {
  assert.is(codeOfSync(() => parseFlags(['--infra', 'wuji'], SPEC)), 'INVALID_OPTION');
  assert.equal(parseFlags(['--infra', 'wuji', '--provider', 'aws'], SPEC, { infra: { type: 'string', description: '' } }), { provider: 'aws' });
});
flags('a string flag without its value is an error', () => {
  assert.is(codeOfSync(() => parseFlags(['--provider'], SPEC)), 'INVALID_OPTION');
});
flags.run();

const flagValues = suite('flag values');
const NUM: FlagSpecs = { 'keep-latest': { type: 'number', description: '' }, sign: { type: 'boolean', description: '' } };
for (const empty of ['', ' ', '\t']) {
  flagValues(`an empty number (${JSON.stringify(empty)}) is refused, never read as 0`, () => {
    assert.is(codeOfSync(() => parseFlags(['--keep-latest', empty], NUM)), 'INVALID_OPTION');
    assert.is(codeOfSync(() => parseFlags([`--keep-latest=${empty}`], NUM)), 'INVALID_OPTION');
  });
}
flagValues('--no-<flag> turns a boolean off', () => {
  assert.equal(parseFlags(['--no-sign'], NUM), { sign: false });
  assert.is(codeOfSync(() => parseFlags(['--no-keep-latest'], NUM)), 'INVALID_OPTION');
});
flagValues.run();

const finding = suite('finding providers');
finding('a provider with only kcl/ asked for as nickel hints --lang kcl', async () => {
  const root = await testdir({ 'extensions/providers/legacyvm/kcl/kcl.mod': '[package]\nname = "legacyvm_prov"\nversion = "1.0.0"\n' });
  const config = await loadConfig({ root });
  try {
    await findProvider(config, 'legacyvm', { lang: 'nickel' });
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'PROVIDER_NOT_FOUND');
    assert.is((error as ProvisioningError).hint, 'pass --lang kcl');
  }
  assert.is((await findProvider(config, 'legacyvm', { lang: 'kcl' })).language, 'kcl');
});
finding('a missing name says which flag to pass', () => {
  for (const missing of [undefined, '']) {
    try {
      assertName('infra', missing);
      assert.unreachable();
    } catch (error) {
      assert.is((error as ProvisioningError).code, 'INVALID_NAME');
      assert.is((error as ProvisioningError).hint, 'pass --infra <name>');
    }
  }
});
finding.run();
