/**
 * The infra lock: one holder at a time, even when many processes find a lock left by a crashed
 * task at once (they must not both take it over, nor remove each other's lock).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withLock } from '../../lib/fs/lock.ts';
import { run } from '../helpers/run.ts';
import { PROJECT_ROOT, testdir } from '../helpers/testdir.ts';

const test = suite('infra lock');
const LOCKER = path.join(PROJECT_ROOT, 'test/helpers/locker.ts');

/** The pid of a process that has exited (as a crashed task's would be). */
async function deadPid(): Promise<number> {
  const r = await run('node', ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout);
}

test('a lock left by a dead pid, then 8 concurrent lockers over several rounds: never 2 holders at once, never a crash', async () => {
  for (let round = 0; round < 4; round++) {
    const dir = await testdir();
    await mkdir(path.join(dir, 'holders'));
    await mkdir(path.join(dir, '.provisioning.lock'));
    await writeFile(path.join(dir, '.provisioning.lock', 'owner'), String(await deadPid()));
    const log = path.join(dir, 'log');
    await writeFile(log, '');
    const results = await Promise.all(Array.from({ length: 8 }, () => run('node', ['--import', 'tsx', LOCKER, dir, log])));
    for (const r of results) assert.is(r.code, 0, r.stderr);
    const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    assert.equal(lines.filter((l) => l.startsWith('overlap')), [], `round ${round}`);
    assert.is(lines.filter((l) => l.startsWith('done')).length, 8);
    assert.equal((await readdir(dir)).filter((n) => n.startsWith('.provisioning.lock')), [], 'no lock (or lock debris) left behind');
  }
});

test('in one process, concurrent holders queue up; the lock is gone afterwards', async () => {
  const dir = await testdir();
  let holders = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 6 }, () =>
    withLock(dir, async () => {
      most = Math.max(most, ++holders);
      await new Promise((resolve) => setTimeout(resolve, 5));
      holders--;
    })));
  assert.is(most, 1);
  assert.equal(await readdir(dir), []);
});

test('a lock whose owner is alive is never taken over: LOCK_TIMEOUT, and the lock is left alone', async () => {
  const dir = await testdir();
  await mkdir(path.join(dir, '.provisioning.lock'));
  await writeFile(path.join(dir, '.provisioning.lock', 'owner'), `${process.ppid} someone-elses-token\n`);
  try {
    await withLock(dir, async () => assert.unreachable('got a held lock'), { timeoutMs: 50 });
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code?: string }).code, 'LOCK_TIMEOUT');
  }
  assert.is(await readFile(path.join(dir, '.provisioning.lock', 'owner'), 'utf8'), `${process.ppid} someone-elses-token\n`);
});

test.run();
