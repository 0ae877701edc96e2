/**
 * A pack's `export/<stem>.json` files made again from the extracted copy: each exported file is
 * exported by `nickel` where production would read it, and the value compared with what the pack
 * holds (as JSON values: another nickel version may print the same value with other spacing).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isProvisioningError, type Problem } from '../errors.ts';
import { exportPathFor } from '../pack/exports.ts';
import { nickelExportFile } from '../pack/nickel.ts';

export interface CheckPackExportsOptions {
  /** The extracted pack's module folder. */
  dir: string;
  /** `aws_prov 0.2.0`, for messages. */
  label: string;
  /** How a file of the pack is named in problems (`aws_prov/server_aws.ncl`). */
  display: (file: string) => string;
  /** The nickel binary (absolute). */
  bin: string;
  /** The pack's files (PACK.json's list, relative with `/`). */
  files: readonly string[];
  /** Rewrites temp paths in nickel's messages to the pack's own names. */
  shown: (text: string) => string;
}

/** The pack's `export/*.json` files; empty for a pack made without exports. */
export async function exportFilesOf(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, 'export')).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort().map((n) => `export/${n}`);
}

/** EXPORT_MISMATCH and EXPORT_FAILED for every export of the pack, exported one after another. */
export async function checkPackExports({ dir, label, display, bin, files, shown }: CheckPackExportsOptions): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const exported of await exportFilesOf(dir)) {
    // Which file the pack exported it from: a `.ncl` whose export path it is (the pack build names them so).
    const sources = files.filter((rel) => rel.endsWith('.ncl') && exportPathFor(rel) === exported);
    if (sources.length !== 1) {
      problems.push({
        code: 'EXPORT_MISMATCH',
        message: `${label}: ${display(path.join(dir, exported))} ${sources.length === 0 ? 'comes from no .ncl file of the pack' : `could come from any of ${sources.join(', ')}`}`,
        file: display(path.join(dir, exported)),
        hint: 'pack the provider again from its sources',
      });
      continue;
    }
    const source = sources[0]!;
    let fresh: Buffer;
    try {
      fresh = await nickelExportFile({ bin, cwd: dir, file: source, label });
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      // nickel's stderr names the temp folder; the user knows the pack's own paths. (The message names the pack already.)
      problems.push({ code: error.code, message: shown(error.message), file: display(path.join(dir, source)), ...(error.hint ? { hint: error.hint } : {}) });
      continue;
    }
    const packed = await readFile(path.join(dir, exported), 'utf8');
    let same: boolean;
    try {
      same = isDeepStrictEqual(JSON.parse(fresh.toString('utf8')), JSON.parse(packed));
    } catch {
      same = false;
    }
    if (!same) {
      problems.push({
        code: 'EXPORT_MISMATCH',
        message: `${label}: exporting ${source} from the extracted pack gives another value than the pack's ${exported}`,
        file: display(path.join(dir, exported)),
        hint: 'the sources changed after they were exported, or they export differently outside the tree; pack the provider again and run pack:test',
      });
    }
  }
  return problems;
}
