/**
 * Builds one pack in memory by running the module's files through the gulp plugins:
 * source → nickelExport (when exporting) → reproducibleTar.
 */
import { Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Vinyl from 'vinyl';
import { ProvisioningError, type ErrorCode } from '../errors.ts';
import { nickelExport } from '../plugins/nickel-export.ts';
import { reproducibleTar } from '../plugins/reproducible-tar.ts';
import type { ExportPlan } from './export-plan.ts';
import { sourceStream, type SourceFile } from './source.ts';
import type { PackTarget } from './target.ts';

export interface BuildPackOptions {
  target: PackTarget;
  /** The files, contents read (see readSources). */
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

/** The tar's bytes. */
export async function buildPack({ target, files, plan, mtime }: BuildPackOptions): Promise<Buffer> {
  const out: Vinyl[] = [];
  const stages: Duplex[] = [];
  if (plan.bin) {
    stages.push(nickelExport({ bin: plan.bin, cwd: target.dir, label: target.name, ...(target.exports ? { exports: target.exports } : {}) }));
  }
  stages.push(reproducibleTar({ module: target.stem, version: target.version, name: target.name, ...(mtime !== undefined ? { mtime } : {}) }));
  const sink = new Writable({
    objectMode: true,
    write(file: Vinyl, _enc, done) {
      out.push(file);
      done();
    },
  });
  try {
    await pipeline([sourceStream(target.dir, files), ...stages, sink]);
  } catch (error) {
    throw fromPluginError(error);
  }
  const tar = out.find((f) => f.basename.endsWith('.tar'));
  if (!tar?.isBuffer()) throw new Error(`reproducibleTar gave no tar for ${target.name}`);
  return tar.contents;
}
