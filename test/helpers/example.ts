import path from 'node:path';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/types.ts';
import { ProblemsError, ProvisioningError } from '../../lib/errors.ts';
import { exampleTree, type Tree } from './testdir.ts';

/** A temp copy of the example tree and its config, plus handy paths into infra `wuji`. */
export async function example(extra: Tree = {}): Promise<{ root: string; config: Config; wuji: string; toml: string; yaml: string }> {
  const root = await exampleTree(extra);
  const wuji = path.join(root, 'workspace/infra/wuji');
  return { root, config: await loadConfig({ root }), wuji, toml: path.join(wuji, 'manifest.toml'), yaml: path.join(wuji, 'providers.manifest.yaml') };
}

/** The code(s) a promise rejects with; fails the test when it resolves or throws uncoded. */
export async function rejectsWith(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProvisioningError) return error.code;
    if (error instanceof ProblemsError) return error.problems.map((p) => p.code).join(',');
    throw error;
  }
  assert.unreachable('expected a coded error');
  return '';
}
