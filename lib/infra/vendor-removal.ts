/**
 * Deleting a vendored copy, and the `<infra>/vendor/` folder with it when providers:vendor made
 * that folder and the copy was the last thing in it. Whether vendor made it is recorded in the
 * yaml (`created_vendor_folder: true`, like `created_dependencies_table`): a vendor/ folder the
 * user had before is never removed, even when it is empty.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { getFlag, setFlag, type RecordsFile } from '../formats/records/edit.ts';
import type { Infra } from './find.ts';
import { vendorDirOf } from './layout.ts';
import type { Operation } from './operations.ts';

/** Top-level yaml flag: providers:vendor created `<infra>/vendor/`. */
export const CREATED_VENDOR_KEY = 'created_vendor_folder';

/**
 * The operation deleting `vendor/<module>/`; when the folder is ours and will be left empty, it
 * also removes the folder (a plain rmdir, after the copy is deleted) and clears the flag in
 * `records`, so call this before the records' text is made.
 */
export async function vendorCopyRemoval(records: RecordsFile, infra: Infra, module: string): Promise<Operation> {
  const dir = vendorDirOf(infra, module);
  const others = (await readdir(path.dirname(dir)).catch(() => [] as string[])).filter((name) => name !== module);
  const lastOne = getFlag(records, CREATED_VENDOR_KEY) && others.length === 0;
  if (lastOne) setFlag(records, CREATED_VENDOR_KEY, false);
  return { kind: 'rm-tree', dir, ...(lastOne ? { removeEmptyParent: true } : {}) };
}
