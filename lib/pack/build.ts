/**
 * Builds one pack in memory: the module's files, plus `export/<stem>.json` from `nickel export`
 * for each exported file (when exporting), through {@link packTar}. The gulp plugins wrap the same
 * two steps (nickelExport, reproducibleTar); the README's chained pipeline is tested to give the
 * same tar. Files go to `packTar` directly rather than as a vinyl stream: a stream per pack cost
 * a vinyl object and several stream hops per file (~8,000 per pack:providers run) for no change
 * in the bytes.
 */
import type { ExportPlan } from './export-plan.ts';
import { exportPathFor, exportSelector, missingExports } from './exports.ts';
import { nickelExportFile } from './nickel.ts';
import { packTar, type PackTarFile } from './pack-tar.ts';
import { normaliseMode } from './rules.ts';
import type { SourceFile } from './source.ts';
import type { PackTarget } from './target.ts';

export interface BuildPackOptions {
  target: PackTarget;
  /** The files, contents read (see readSources); a `sha256` already computed is reused. */
  files: readonly SourceFile[];
  plan: ExportPlan;
  /** Entry mtime in seconds. Default: SOURCE_DATE_EPOCH or the fixed date. */
  mtime?: number | undefined;
}

function fromSource(f: SourceFile): PackTarFile {
  return { rel: f.rel, data: f.contents!, mode: normaliseMode(f.stat.mode), sha256: f.sha256 };
}

/** The sources plus `export/<stem>.json` for each exported file, exported one after another in path order. */
async function withExports(target: PackTarget, files: readonly SourceFile[], bin: string): Promise<PackTarFile[]> {
  const { wanted, isExported } = exportSelector(target.exports);
  const out: PackTarFile[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    out.push(fromSource(file));
    if (!isExported(file.rel)) continue;
    seen.add(file.rel);
    const json = await nickelExportFile({ bin, cwd: target.dir, file: file.rel, label: target.name });
    out.push({ rel: exportPathFor(file.rel), data: json, mode: 0o644 });
  }
  const missing = missingExports(wanted, seen, target.dir);
  if (missing) throw missing;
  return out;
}

/** The tar's bytes. */
export async function buildPack({ target, files, plan, mtime }: BuildPackOptions): Promise<Buffer> {
  const inputs = plan.bin ? await withExports(target, files, plan.bin) : files.map(fromSource);
  return packTar(inputs, { module: target.stem, version: target.version, name: target.name, ...(mtime !== undefined ? { mtime } : {}) });
}
