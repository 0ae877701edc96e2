import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProvisioningError } from '../../lib/errors.ts';
import { type FlagSpecs, parseFlags } from '../../tasks/support/flags.ts';
import { codeOfSync } from '../helpers/codes.ts';

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
