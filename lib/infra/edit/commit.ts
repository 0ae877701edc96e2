import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Problem, ProvisioningError, systemError } from '../../errors.ts';
import { writeFileAtomic } from '../../fs/atomic.ts';
import { isInsideReal } from '../../fs/inside.ts';
import { createLink, removeIfEmpty, removeLink } from '../link.ts';
import { Transaction } from '../../fs/transaction.ts';

/** One change to an infra, planned in full before the first is made. */
export type Operation =
  /** Write `text` to `file` (atomically), unless it already holds exactly that. */
  | { kind: 'write'; file: string; text: string; previous: { text: string; exists: boolean } }
  /** Delete a file the tool created (undone by writing `previous` back). */
  | { kind: 'delete'; file: string; previous: { text: string; exists: boolean } }
  /** Make the folder (and parents) when absent. */
  | { kind: 'mkdir'; dir: string }
  /** Create a symlink; `replaces` is the target of a symlink that is there now (--force). */
  | { kind: 'link'; path: string; target: string; replaces?: string }
  /** Remove a symlink whose stored target is `target` (kept for undo). */
  | { kind: 'unlink'; path: string; target: string }
  /** Remove the folder if it is empty once everything else is done, else leave it. */
  | { kind: 'rmdir-if-empty'; dir: string }
  /**
   * Delete a folder tree the toolkit made (a vendored copy): renamed aside during the transaction
   * (so a later failure puts it back whole), deleted once everything else is done. A delete that
   * fails then is a warning naming the leftover, never a half-deleted copy the records point at.
   * `removeEmptyParent`: then also rmdir its folder (`vendor/`) if that is left empty.
   */
  | { kind: 'rm-tree'; dir: string; removeEmptyParent?: boolean; aside?: 'removed' | 'previous' }
  /** Rename a folder made beside `dir` (a staged vendored copy) into place; `dir` must be absent by then. */
  /** `label` says what the move means to the user (default `placed DIR/`). */
  | { kind: 'place'; from: string; dir: string; label?: string };

export interface Executed {
  /** What was done, as `verb path` labels; operations that had nothing to do are left out. */
  changes: string[];
  /** Cleanup that could not be finished (CLEANUP_FAILED: a moved-aside copy that could not be deleted). */
  warnings: Problem[];
}

/** The path an operation renames, deletes or creates an entry in (its parent folder is what matters). */
function touched(op: Operation): string {
  switch (op.kind) {
    case 'write':
    case 'delete':
      return op.file;
    case 'mkdir':
      return op.dir;
    case 'link':
    case 'unlink':
      return op.path;
    case 'rmdir-if-empty':
    case 'rm-tree':
    case 'place':
      return op.dir;
  }
}

/** What goes once the change is committed: folders moved aside (`aside`), or emptied folders (no `aside`: a plain rmdir). */
type Trash = { dir: string; aside: string | undefined; removeEmptyParent: boolean }[];

/** Does one operation as a step of `tx` (with its undo); `trash` collects what is deleted after the commit. */
async function apply(tx: Transaction, op: Operation, rel: (p: string) => string, trash: Trash): Promise<void> {
  switch (op.kind) {
    case 'write':
      // Same bytes: leave the file (and its mtime) alone; an absent file stays absent when empty.
      if (op.previous.text === op.text && (op.previous.exists || op.text === '')) return;
      await tx.step(
        `wrote ${rel(op.file)}`,
        () => writeFileAtomic(op.file, op.text),
        () => op.previous.exists ? writeFileAtomic(op.file, op.previous.text) : rm(op.file, { force: true }),
      );
      return;
    case 'delete':
      if (!op.previous.exists) return;
      await tx.step(`deleted ${rel(op.file)}`, () => rm(op.file, { force: true }), () => writeFileAtomic(op.file, op.previous.text));
      return;
    case 'mkdir': {
      if (existsSync(op.dir)) return;
      const made = await mkdir(op.dir, { recursive: true });
      await tx.step(`created ${rel(op.dir)}/`, async () => {}, () => rm(made ?? op.dir, { recursive: true, force: true }));
      return;
    }
    case 'link':
      if (op.replaces !== undefined) {
        const old = op.replaces;
        await tx.step(`unlinked ${rel(op.path)} (was -> ${old})`, () => removeLink(op.path), () => createLink(op.path, old));
      }
      await tx.step(`linked ${rel(op.path)} -> ${op.target}`, () => createLink(op.path, op.target), () => removeLink(op.path));
      return;
    case 'unlink':
      await tx.step(`unlinked ${rel(op.path)}`, () => removeLink(op.path), () => createLink(op.path, op.target));
      return;
    case 'rmdir-if-empty':
      // After the commit (with the trash): an undo of an unlink needs the folder still there.
      trash.push({ dir: op.dir, aside: undefined, removeEmptyParent: false });
      return;
    case 'rm-tree': {
      if (!(await lstat(op.dir).catch(() => undefined))) return;
      const aside = path.join(path.dirname(op.dir), `.${path.basename(op.dir)}.${op.aside ?? 'removed'}-${randomBytes(4).toString('hex')}`);
      await tx.step(`removed ${rel(op.dir)}/`, () => rename(op.dir, aside), () => rename(aside, op.dir));
      trash.push({ dir: op.dir, aside, removeEmptyParent: op.removeEmptyParent === true });
      return;
    }
    case 'place':
      await tx.step(op.label ?? `placed ${rel(op.dir)}/`, () => rename(op.from, op.dir), () => rename(op.dir, op.from));
      return;
  }
}

/**
 * Runs the operations in order inside one {@link Transaction}: when one fails, those already
 * done are undone and the error is rethrown. Before the first, every path is checked to lie
 * really (symlinks followed) inside `within` (the infra): a symlinked folder on the way never
 * leads a link, rename or delete elsewhere (`LINK_CONFLICT`). Labels are relative to `base`.
 */
export async function execute(operations: readonly Operation[], base: string, within: string): Promise<Executed> {
  const rel = (p: string) => path.relative(base, p) || '.';
  for (const op of operations) {
    const where = path.dirname(touched(op));
    if (!(await isInsideReal(within, where))) {
      throw new ProvisioningError('LINK_CONFLICT', `Cannot change "${rel(touched(op))}": ${rel(where)} leads outside ${rel(within)}`, {
        file: rel(touched(op)),
        hint: 'a folder on the way is a symlink; links and vendored copies are only changed inside the infra',
      });
    }
  }
  const trash: Trash = [];
  const changes = await Transaction.run(async (tx) => {
    try {
      for (const op of operations) await apply(tx, op, rel, trash);
    } catch (error) {
      // A raw fs error (a full disk, a read-only file) becomes a coded one; the transaction puts everything back.
      throw systemError(error, `change ${rel(within)}`, undefined, { writing: true });
    }
    return tx.done;
  });
  // Committed: what was moved aside is no longer referenced. Deleting it is cleanup, not part of the change.
  const warnings: Problem[] = [];
  for (const { dir, aside, removeEmptyParent } of trash) {
    if (aside === undefined) {
      if (await removeIfEmpty(dir)) changes.push(`removed empty ${rel(dir)}/`);
      continue;
    }
    try {
      await rm(aside, { recursive: true, force: true });
    } catch (error) {
      warnings.push({
        code: 'CLEANUP_FAILED',
        message: `Cannot delete ${rel(aside)}/ (what was ${rel(dir)}/): ${(error as NodeJS.ErrnoException).code ?? String(error)}; the change is made`,
        file: rel(aside),
        hint: 'delete that folder yourself',
      });
      continue;
    }
    // Only ever a plain rmdir: a folder holding anything at all stays.
    if (removeEmptyParent && (await removeIfEmpty(path.dirname(dir)))) changes.push(`removed empty ${rel(path.dirname(dir))}/`);
  }
  return { changes, warnings };
}
