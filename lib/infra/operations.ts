import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic.ts';
import { createLink, removeIfEmpty, removeLink } from './link.ts';
import { Transaction } from './transaction.ts';

/** One change to an infra, planned in full before the first is made. */
export type Operation =
  /** Write `text` to `file` (atomically), unless it already holds exactly that. */
  | { kind: 'write'; file: string; text: string; previous: { text: string; exists: boolean } }
  /** Make the folder (and parents) when absent. */
  | { kind: 'mkdir'; dir: string }
  /** Create a symlink; `replaces` is the target of a symlink that is there now (--force). */
  | { kind: 'link'; path: string; target: string; replaces?: string }
  /** Remove a symlink whose stored target is `target` (kept for undo). */
  | { kind: 'unlink'; path: string; target: string }
  /** Remove the folder if it is empty, else leave it. */
  | { kind: 'rmdir-if-empty'; dir: string }
  /** Delete a folder tree the toolkit made (a vendored copy). Cannot be undone: plan it last. */
  | { kind: 'rm-tree'; dir: string };

/**
 * Runs the operations in order inside one {@link Transaction}: when one fails, those already
 * done are undone and the error is rethrown. Returns what was done, as `verb path` labels
 * relative to `base`; operations that had nothing to do are left out.
 */
export async function execute(operations: readonly Operation[], base: string): Promise<string[]> {
  const rel = (p: string) => path.relative(base, p) || '.';
  return Transaction.run(async (tx) => {
    for (const op of operations) {
      switch (op.kind) {
        case 'write':
          // Same bytes: leave the file (and its mtime) alone; an absent file stays absent when empty.
          if (op.previous.text === op.text && (op.previous.exists || op.text === '')) break;
          await tx.step(`wrote ${rel(op.file)}`, () => writeFileAtomic(op.file, op.text), () =>
            op.previous.exists ? writeFileAtomic(op.file, op.previous.text) : rm(op.file, { force: true }),
          );
          break;
        case 'mkdir': {
          if (existsSync(op.dir)) break;
          const made = await mkdir(op.dir, { recursive: true });
          await tx.step(`created ${rel(op.dir)}/`, async () => {}, () => rm(made ?? op.dir, { recursive: true, force: true }));
          break;
        }
        case 'link':
          if (op.replaces !== undefined) {
            const old = op.replaces;
            await tx.step(`unlinked ${rel(op.path)} (was -> ${old})`, () => removeLink(op.path), () => createLink(op.path, old));
          }
          await tx.step(`linked ${rel(op.path)} -> ${op.target}`, () => createLink(op.path, op.target), () => removeLink(op.path));
          break;
        case 'unlink':
          await tx.step(`unlinked ${rel(op.path)}`, () => removeLink(op.path), () => createLink(op.path, op.target));
          break;
        case 'rmdir-if-empty':
          if (await removeIfEmpty(op.dir)) tx.done.push(`removed empty ${rel(op.dir)}/`);
          break;
        case 'rm-tree':
          if (!existsSync(op.dir)) break;
          await tx.step(`removed ${rel(op.dir)}/`, () => rm(op.dir, { recursive: true }), async () => {});
          break;
      }
    }
    return tx.done;
  });
}
