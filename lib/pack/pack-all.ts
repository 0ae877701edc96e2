/**
 * Packs many modules in parallel (bounded), reporting each start and end, collecting every
 * problem instead of stopping at the first.
 */
import { availableParallelism } from 'node:os';
import { type Problem, systemError, toProblem } from '../errors.ts';
import { withLock } from '../fs/lock.ts';
import { PackCache } from './cache.ts';
import { packLockDir, packModule, type PackModuleOptions, type PackResult } from './pack-module.ts';
import type { ExportPlan } from './export-plan.ts';
import type { PackTarget } from './target.ts';

export type PackEvent =
  | { type: 'start'; name: string; index: number; total: number }
  | { type: 'done'; name: string; result: PackResult; done: number; total: number }
  | { type: 'failed'; name: string; problem: Problem; done: number; total: number };

export interface LazyTarget {
  name: string;
  resolve(): PackTarget;
}

export interface PackAllOptions extends Omit<PackModuleOptions, 'target' | 'plan'> {
  /** Export decision per module (KCL modules differ from Nickel ones). Required. */
  plan: ExportPlan | ((target: PackTarget) => ExportPlan);
  /** The modules; `resolve` is called in turn, so one bad manifest fails only its own pack. */
  targets: readonly (PackTarget | LazyTarget)[];
  /** How many at once. Default: the number of CPUs (`os.availableParallelism()`), at least 2. */
  concurrency?: number;
  /** Progress, one event per start and end. Default none. */
  onEvent?: (event: PackEvent) => void;
}

export interface PackAllResult {
  results: PackResult[];
  problems: (Problem & { name: string })[];
}

export async function packAll({ targets, plan, concurrency = Math.max(2, availableParallelism()), onEvent, ...common }: PackAllOptions): Promise<PackAllResult> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`The "concurrency" option must be a positive integer: ${concurrency}`);
  const results: PackResult[] = [];
  const problems: PackAllResult['problems'] = [];
  const total = targets.length;
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    while (next < total) {
      const index = next++;
      const item = targets[index]!;
      const name = item.name;
      try {
        const target = 'resolve' in item ? item.resolve() : item;
        onEvent?.({ type: 'start', name, index, total });
        const result = await packModule({ ...common, target, plan: typeof plan === 'function' ? plan(target) : plan, lock: false, cache, readyDirs });
        results.push(result);
        onEvent?.({ type: 'done', name, result, done: ++done, total });
      } catch (error) {
        // A raw system error (a full disk) is this pack's problem, coded, like any other.
        const problem = { ...toProblem(systemError(error, `pack ${name}`)), name };
        problems.push(problem);
        onEvent?.({ type: 'failed', name, problem, done: ++done, total });
      }
    }
  }
  // One registry lock for the whole run (not one per package): another pack or clean waits.
  const cache = PackCache.open(common.cacheDir);
  const readyDirs = new Set<string>();
  await withLock(packLockDir(common.cacheDir), async () => {
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    } finally {
      cache.save();
    }
  });
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { results: results.sort(byName), problems: problems.sort(byName) };
}
