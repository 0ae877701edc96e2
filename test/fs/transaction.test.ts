/**
 * The one rollback mechanism: a step in flight when the transaction is aborted (Ctrl-C) is
 * finished and undone with the others, and no step starts after the abort.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Transaction } from '../../lib/fs/transaction.ts';

const test = suite('transaction');

test('an abort during a step waits for it, then undoes it and every step before; nothing starts after', async () => {
  const done: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let aborted: Promise<void> | undefined;
  const run = Transaction.run(async (tx) => {
    await tx.step('a', async () => void done.push('a'), async () => void done.push('undo a'));
    await tx.step('b', async () => {
      aborted = tx.abort();
      await gate;
      done.push('b');
    }, async () => void done.push('undo b'));
    await tx.step('c', async () => void done.push('c'), async () => void done.push('undo c'));
  }).then(() => 'resolved', (e: { code?: string }) => e.code ?? 'rejected');
  while (aborted === undefined) await new Promise((resolve) => setImmediate(resolve));
  release();
  await aborted;
  assert.equal(done, ['a', 'b', 'undo b', 'undo a']);
  assert.is(await run, 'INTERRUPTED');
});

test.run();
