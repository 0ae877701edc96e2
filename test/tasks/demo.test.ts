import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { EXAMPLE_ROOT } from '../helpers/testdir.ts';

const demo = suite('demo (the README main command)');

demo('runs the main job on a temp copy and leaves the tracked example tree as it was', async () => {
  const before = await snapshot(EXAMPLE_ROOT);
  const result = await gulp(['demo']);
  assert.is(result.code, 0, result.stderr);
  const copied = /Example tree copied to (\S+)/.exec(result.stderr)?.[1];
  assert.ok(copied, result.stderr);
  try {
    for (const file of ['upcloud_prov_0.0.1.tar', 'aws_prov_0.2.0.tar', 'local_prov_0.1.0.tar', 'provisioning_0.0.1.tar']) {
      assert.ok(existsSync(path.join(copied, 'distribution/packages', file)), file);
    }
    assert.match(result.stdout, 'wuji: ok');
    assert.equal(await snapshot(EXAMPLE_ROOT), before);
  } finally {
    await rm(copied, { recursive: true, force: true });
  }
});

demo.run();
