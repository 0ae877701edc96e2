/**
 * `providers:validate --production`: a vendored copy must be exactly what its pack held.
 * One VENDOR_DRIFT per differing file, so the report names each.
 */
import path from 'node:path';
import type { Problem } from '../errors.ts';
import type { Findings, RecordCheck } from '../infra/check-record.ts';
import { rootRelative, vendorDirOf } from '../infra/layout.ts';
import { moduleName } from '../names.ts';
import { inspectVendoredCopy } from './vendored-copy.ts';

export const vendoredDigests: RecordCheck = async (ctx): Promise<Findings> => {
  const { config, infra, name, record } = ctx;
  if (record.mode !== 'vendor') return { errors: [], warnings: [] };
  // Named from the validated provider name, never from the yaml's text (as install and remove do).
  const dir = vendorDirOf(infra, moduleName(name));
  const warnings: Problem[] = record.packManifest === undefined
    ? [{
        code: 'VENDOR_DRIFT',
        message: `${infra.name}: ${name}: its record has no pack_manifest, so the copy's PACK.json is trusted as it is`,
        ...ctx.at,
        hint: `run providers:vendor --provider ${name} --infra ${infra.name} --ver ${record.version ?? '<range>'} to record it`,
      }]
    : [];
  const copy = await inspectVendoredCopy({ dir, module: moduleName(name), version: record.version, packManifest: record.packManifest });
  if (copy.kind !== 'modified') return { errors: [], warnings }; // absent: the standard checks report LINK_MISSING
  const errors: Problem[] = copy.files.map((file) => ({
    code: 'VENDOR_DRIFT',
    message: `${infra.name}: ${name}: vendored file ${file} differs from the pack's PACK.json (${copy.reason})`,
    file: rootRelative(config, path.join(dir, file)),
    hint: `run providers:vendor --provider ${name} --infra ${infra.name} --ver ${record.version ?? '<range>'} --force to restore it`,
  }));
  return { errors, warnings };
};
