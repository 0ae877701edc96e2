import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closest } from '../lib/did-you-mean.ts';
import { assertName, parsePackFileName } from '../lib/names.ts';
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

// One reading of `<stem>_<version>.tar` for the local packs, their metadata and publishing alike.
for (
  const [file, parsed] of [
    ['aws_prov_0.2.0.tar', { stem: 'aws_prov', version: '0.2.0' }],
    ['aws_prov_1.0.0+build.5.tar', { stem: 'aws_prov', version: '1.0.0+build.5' }],
    ['aws_prov_1.0.0-rc.1.tar', { stem: 'aws_prov', version: '1.0.0-rc.1' }],
    ['provisioning_1.2.3.tar', { stem: 'provisioning', version: '1.2.3' }],
    ['my-prov_x_prov_2.0.0.tar', { stem: 'my-prov_x_prov', version: '2.0.0' }],
    ['aws_prov_v1.0.0.tar', undefined],
    ['aws_prov_1.0.tar', undefined],
    ['aws_prov_0.2.0.tar.minisig', undefined],
    ['../x_1.0.0.tar', undefined],
    ['Aws_1.0.0.tar', undefined],
    ['aws_prov_0.2.0.zip', undefined],
    ['_1.0.0.tar', undefined],
  ] as const
) {
  names(`pack file ${file} is ${parsed ? `${parsed.stem} ${parsed.version}` : 'no pack'}`, () => assert.equal(parsePackFileName(file), parsed));
}
names.run();
