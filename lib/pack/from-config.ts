/**
 * The pack settings a provisioning root's config gives, so every front end (gulp tasks,
 * scripts, the benchmark) packs the same way.
 */
import path from 'node:path';
import type { Config } from '../config/types.ts';
import type { Problem } from '../errors.ts';
import { type ExportPlan, exportPlan } from './export-plan.ts';
import type { PackModuleOptions } from './pack-module.ts';
import { CORE_STEM, type PackTarget } from './target.ts';

export interface PackSettingsOptions {
  /** `--output DIR`, relative to `cwd`. Default: `[distribution] pack_path`. */
  output?: string | undefined;
  /** `--force`. Default false. */
  force?: boolean | undefined;
  /** Folder `--output` is relative to. Default `process.cwd()`. */
  cwd?: string;
}

export type PackSettings = Omit<PackModuleOptions, 'target' | 'plan'>;

export function packSettings(config: Config, { output, force = false, cwd = process.cwd() }: PackSettingsOptions = {}): PackSettings {
  const outDir = output !== undefined ? path.resolve(cwd, output) : config.distribution.packPath;
  return {
    outDir,
    // A pack written elsewhere is recorded beside itself: the tree's own metadata names only the
    // tree's own packs (pack:verify, pack:publish and vendor read those from pack_path).
    registryDir: outDir === config.distribution.packPath ? config.distribution.registryPath : outDir,
    cacheDir: config.distribution.cachePath,
    info: config.distribution.metadata,
    force,
  };
}

/** Export plans by language, computed once per run (one PATH lookup, one warning). */
export function planner(config: Config): { planFor(target: PackTarget): ExportPlan; warnings(): Problem[] } {
  const plans = new Map<string, ExportPlan>();
  const planFor = (target: PackTarget) => {
    let plan = plans.get(target.language);
    if (!plan) {
      plan = exportPlan({ bin: config.nickel.bin, mode: config.nickel.export, language: target.language, cwd: config.root });
      plans.set(target.language, plan);
    }
    return plan;
  };
  return { planFor, warnings: () => [...new Map([...plans.values()].flatMap((p) => (p.warning ? [[p.warning.message, p.warning] as const] : []))).values()] };
}

/** Metadata name of a tar stem: the core's is `core_package_name`, a provider's its module. */
export function nameForStem(config: Config): (stem: string) => string {
  return (stem) => (stem === CORE_STEM ? config[config.language].corePackageName : stem);
}

/**
 * The command that packs module `name` (optionally as `version`) in this tree: `pack:core` for
 * the core, `pack:provider --provider <p>` for a provider module (`<p>_prov`); undefined for a
 * module that is neither (packed in another tree).
 */
export function packCommandFor(config: Config, name: string, version?: string): string | undefined {
  const ver = version === undefined ? '' : ` --ver ${version}`;
  if (name === config[config.language].corePackageName) return `npx gulp pack:core${ver}`;
  const provider = /^([a-z0-9][a-z0-9_-]*)_prov$/.exec(name)?.[1];
  return provider === undefined ? undefined : `npx gulp pack:provider --provider ${provider}${ver}`;
}

/** What puts a missing tar back: packing that very version again. */
export function repackHint(config: Config, name: string, version: string): string {
  const command = packCommandFor(config, name, version);
  return command ? `pack it again: ${command}` : `pack ${name} ${version} again where its sources are, and copy its tar into this tree's pack_path`;
}
