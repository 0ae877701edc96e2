import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveRoot } from '../../lib/tree/root.ts';
import { codeOfSync } from '../helpers/codes.ts';
import { testdir } from '../helpers/testdir.ts';

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
