/**
 * Builds one pack in memory with the gulp plugins' code: the nickelExport plugin over the
 * module's files (when exporting), then reproducibleTar's {@link packTar}, the function its
 * flush calls. The sources go to `packTar` directly rather than as a vinyl stream: a stream
 * per pack cost a vinyl object and several stream hops per file (~8,000 per pack:providers run)
 * for no change in the bytes; the README's chained pipeline is tested to give the same tar.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Vinyl from 'vinyl';
import { ProvisioningError, type ErrorCode } from '../errors.ts';
import { nickelExport } from '../plugins/nickel-export.ts';
import { packTar, type PackTarFile } from '../plugins/reproducible-tar.ts';
import type { ExportPlan } from './export-plan.ts';
import { normaliseMode } from './rules.ts';
import { sourceStream, type SourceFile } from './source.ts';
import type { PackTarget } from './target.ts';

export interface BuildPackOptions {
  target: PackTarget;
  /** The files, contents read (see readSources); a `sha256` already computed is reused. */
  files: readonly SourceFile[];
  plan: ExportPlan;
  /** Entry mtime in seconds. Default: SOURCE_DATE_EPOCH or the fixed date. */
  mtime?: number | undefined;
}

/** A plugin's error back as the coded error it carried (EXPORT_FAILED, NICKEL_NOT_FOUND…). */
export function fromPluginError(error: unknown): unknown {
  const e = error as { code?: unknown; message?: string; hint?: string; file?: string };
  if (error instanceof ProvisioningError || typeof e?.code !== 'string' || !/^[A-Z_]+$/.test(e.code)) return error;
  return new ProvisioningError(e.code as ErrorCode, e.message ?? String(error), {
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.file ? { file: e.file } : {}),
    cause: error,
  });
}

function fromSource(f: SourceFile): PackTarFile {
  return { rel: f.rel, data: f.contents!, mode: normaliseMode(f.stat.mode), sha256: f.sha256 };
}

/** The sources plus `export/<stem>.json` for each exported file, through the nickelExport plugin. */
async function withExports(target: PackTarget, files: readonly SourceFile[], bin: string): Promise<PackTarFile[]> {
  const known = new Map(files.map((f) => [f.rel, f]));
  const out: PackTarFile[] = [];
  const sink = new Writable({
    objectMode: true,
    write(file: Vinyl, _enc, done) {
      const rel = file.relative.split(path.sep).join('/');
      const source = known.get(rel);
      out.push(source ? fromSource(source) : { rel, data: file.contents as Buffer, mode: normaliseMode(file.stat?.mode) });
      done();
    },
  });
  const plugin = nickelExport({ bin, cwd: target.dir, label: target.name, ...(target.exports ? { exports: target.exports } : {}) });
  await pipeline([sourceStream(target.dir, files), plugin, sink]);
  return out;
}

/** The tar's bytes. */
export async function buildPack({ target, files, plan, mtime }: BuildPackOptions): Promise<Buffer> {
  try {
    const inputs = plan.bin ? await withExports(target, files, plan.bin) : files.map(fromSource);
    return packTar(inputs, { module: target.stem, version: target.version, name: target.name, ...(mtime !== undefined ? { mtime } : {}) });
  } catch (error) {
    throw fromPluginError(error);
  }
}
