import { onInterrupt } from './interrupt.ts';

/**
 * A list of done steps with their undo, so a multi-file edit that fails half-way (disk full,
 * a link that cannot be made) puts back what it had already changed. Undo runs newest first
 * and keeps going past its own failures: restoring most beats restoring none.
 */
export class Transaction {
  private readonly undos: (() => Promise<unknown>)[] = [];
  /** What was done, for the task's report. */
  readonly done: string[] = [];

  /** Runs `action`; when it succeeds, remembers `undo` and the `label`. */
  async step(label: string, action: () => Promise<unknown>, undo: () => Promise<unknown>): Promise<void> {
    await action();
    this.undos.push(undo);
    this.done.push(label);
  }

  async rollback(): Promise<void> {
    for (const undo of this.undos.splice(0).reverse()) {
      try {
        await undo();
      } catch {
        // keep undoing the rest
      }
    }
  }

  /** Runs `body(this)`; on any error, or Ctrl-C / SIGTERM meanwhile, rolls back (and rethrows). */
  static async run<T>(body: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = new Transaction();
    const forget = onInterrupt(() => tx.rollback());
    try {
      return await body(tx);
    } catch (error) {
      await tx.rollback();
      throw error;
    } finally {
      forget();
    }
  }
}
