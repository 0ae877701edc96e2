import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { isProvisioningError, type Problem, toProblem } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { exportPlan } from '../pack/export-plan.ts';
import { nickelExportFile } from '../pack/nickel.ts';
import { listSources } from '../pack/source.ts';
import { exportSelector } from '../pack/exports.ts';
import { findProvider } from '../tree/providers.ts';
import type { Checked } from './check.ts';

/** Where watch keeps a provider's latest exports: `<cache_path>/watch/<module>/<stem>.json`. */
export function watchExportDir(config: Config, module: string): string {
  return path.join(config.distribution.cachePath, 'watch', module);
}

/**
 * Re-exports a changed provider's Nickel files as a pack would (`[nickel] bin`, `[nickel] export`,
 * the files `[package] exports` lists inside the module, else every top-level `*.ncl`), so a save that breaks the export shows at
 * once. The JSON goes to the cache, never beside the sources: a write there would wake the
 * watcher again. Without the binary (`export = "auto"`) or for a KCL provider it does nothing.
 */
export async function exportForWatch(config: Config, name: string): Promise<Checked> {
  const provider = await findProvider(config, name);
  const plan = exportPlan({ bin: config.nickel.bin, mode: config.nickel.export, language: provider.language, cwd: config.root });
  if (!plan.bin) return { errors: [], warnings: [] };
  // The files a pack would export (the plugin's rule): never a listed path outside the module.
  const { wanted, isExported } = exportSelector(provider.exports);
  const files = (await listSources(provider.moduleDir)).files.map((f) => f.rel).filter(isExported);
  const errors: Problem[] = [];
  const missing = wanted ? [...wanted].filter((rel) => !files.includes(rel)) : [];
  if (missing.length > 0) {
    errors.push({
      code: 'EXPORT_FAILED',
      message: `Cannot export ${missing.map((m) => `"${m}"`).join(', ')}: listed in exports but not found in ${provider.moduleDir}`,
      file: provider.moduleDir,
    });
  }
  const out = watchExportDir(config, provider.module);
  await mkdir(out, { recursive: true });
  await Promise.all(
    files.map(async (file) => {
      try {
        const json = await nickelExportFile({ bin: plan.bin!, cwd: provider.moduleDir, file, label: provider.module });
        await writeFileAtomic(path.join(out, path.basename(file).replace(/\.ncl$/, '.json')), json);
      } catch (error) {
        if (!isProvisioningError(error)) throw error;
        errors.push(toProblem(error));
      }
    }),
  );
  return { errors, warnings: [] };
}
