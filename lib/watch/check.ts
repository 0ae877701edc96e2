import type { Config } from '../config/types.ts';
import { isProvisioningError, type Problem, toProblem } from '../errors.ts';

/** What a validator returns: warnings are data, not failures (changesets' shape). */
export interface Checked {
  errors: Problem[];
  warnings: Problem[];
}

/** Re-validates one infra (the module-loader's validate, by default). */
export type ValidateInfra = (config: Config, infra: string) => Promise<Checked>;

/** Re-exports one provider's Nickel; resolves to the problems (EXPORT_FAILED…), empty when fine or skipped. */
export type ExportProvider = (config: Config, provider: string) => Promise<Checked>;

/** One line of watch output: an infra re-validated after its providers or manifests changed. */
export interface WatchResult {
  /** The infra re-validated; absent when the changed provider is in no infra (then only exported). */
  infra?: string;
  /** The changed providers that led to this run, sorted; empty when an infra's own manifest changed. */
  providers: string[];
  errors: Problem[];
  warnings: Problem[];
  /** Time from the run's start to its result, in ms. */
  ms: number;
}

/** Runs a check, turning a thrown ProvisioningError into its problem; other errors propagate. */
export async function settle(check: () => Promise<Checked>): Promise<Checked> {
  try {
    return await check();
  } catch (error) {
    if (isProvisioningError(error)) return { errors: [toProblem(error)], warnings: [] };
    throw error;
  }
}
