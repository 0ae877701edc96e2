import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { isProvisioningError, toProblem, type Problem } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { exportPlan } from '../pack/export-plan.ts';
import { nickelExportFile } from '../pack/nickel.ts';
import { findProvider } from '../providers/discover.ts';
import type { Checked } from './check.ts';

/** Where watch keeps a provider's latest exports: `<cache_path>/watch/<module>/<stem>.json`. */
export function watchExportDir(config: Config, module: string): string {
  return path.join(config.distribution.cachePath, 'watch', module);
}

/**
 * Re-exports a changed provider's Nickel files as a pack would (`[nickel] bin`, `[nickel] export`,
 * `[package] exports` else every top-level `*.ncl`), so a save that breaks the export shows at
 * once. The JSON goes to the cache, never beside the sources: a write there would wake the
 * watcher again. Without the binary (`export = "auto"`) or for a KCL provider it does nothing.
 */
export async function exportForWatch(config: Config, name: string): Promise<Checked> {
  const provider = await findProvider(config, name);
  const plan = exportPlan({ bin: config.nickel.bin, mode: config.nickel.export, language: provider.language, cwd: config.root });
  if (!plan.bin) return { errors: [], warnings: [] };
  const files = provider.exports ?? (await readdir(provider.moduleDir)).filter((f) => f.endsWith('.ncl')).sort();
  const out = watchExportDir(config, provider.module);
  await mkdir(out, { recursive: true });
  const errors: Problem[] = [];
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
