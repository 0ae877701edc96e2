/**
 * A list of done steps with their undo, so a multi-file edit that fails half-way (disk full,
 * a link that cannot be made) puts back what it had already changed. Undo runs newest first
 * and keeps going past its own failures: restoring most beats restoring none.
 *
 * Ctrl-C or SIGTERM while it runs aborts it (lib/fs/interrupt.ts): the step in flight is let
 * finish (a rename or a write is not torn in two), then undone with the others, and no step
 * starts after; the transaction rejects with INTERRUPTED.
 */
import { ProvisioningError } from '../errors.ts';
import { onInterrupt } from './interrupt.ts';

export class Transaction {
  private readonly undos: (() => Promise<unknown>)[] = [];
  /** What was done, for the task's report. */
  readonly done: string[] = [];
  private inFlight: Promise<unknown> = Promise.resolve();
  private aborted = false;
  private rolling: Promise<void> | undefined;

  /** Runs `action`; when it succeeds, remembers `undo` and the `label`. */
  async step(label: string, action: () => Promise<unknown>, undo: () => Promise<unknown>): Promise<void> {
    if (this.aborted) throw interrupted();
    let settled!: () => void;
    this.inFlight = new Promise<void>((resolve) => (settled = resolve));
    try {
      await action();
      this.undos.push(undo);
      this.done.push(label);
    } finally {
      settled();
    }
    if (this.aborted) throw interrupted();
  }

  /** Undoes every step done, newest first; called twice, it undoes once (both wait for it). */
  rollback(): Promise<void> {
    this.rolling ??= (async () => {
      for (const undo of this.undos.splice(0).reverse()) {
        try {
          await undo();
        } catch {
          // keep undoing the rest
        }
      }
    })();
    return this.rolling;
  }

  /** Stops the transaction: waits for the step in flight, then rolls everything back. */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.inFlight;
    await this.rollback();
  }

  /** Runs `body(this)`; on any error, or Ctrl-C / SIGTERM meanwhile, rolls back (and rethrows). */
  static async run<T>(body: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = new Transaction();
    const forget = onInterrupt(() => tx.abort());
    try {
      const result = await body(tx);
      if (tx.aborted) throw interrupted();
      return result;
    } catch (error) {
      await tx.rollback();
      throw error;
    } finally {
      forget();
    }
  }
}

function interrupted(): ProvisioningError {
  return new ProvisioningError('INTERRUPTED', 'Interrupted: every change made so far was put back', { hint: 'run it again' });
}
