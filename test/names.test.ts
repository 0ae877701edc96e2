import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closest } from '../lib/did-you-mean.ts';
import { assertName } from '../lib/names.ts';
import { codeOfSync } from './helpers/codes.ts';

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
