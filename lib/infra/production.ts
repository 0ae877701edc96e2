import path from 'node:path';
import type { Problem } from '../errors.ts';
import { moduleName } from '../names.ts';
import { rootRelative, vendorDirOf } from '../tree/layout.ts';
import { inspectVendoredCopy } from './vendored-copy.ts';
import type { Findings, RecordCheck, RecordContext } from './check-record.ts';
import { isPinned } from '../versions.ts';

/**
 * What `providers:validate --production` adds to the standard checks, one function per rule.
 * Production deploys immutable, verified artifacts, so a live link to mutable source and a
 * version that is not one exact release are errors there, and so is a vendored file that differs
 * from its pack's PACK.json (`VENDOR_DRIFT`, one per file, so the report names each).
 */

function at(ctx: RecordContext): Pick<Problem, 'file' | 'line' | 'column'> {
  return ctx.at;
}

/** `PRODUCTION_LINK_MODE`: a provider linked to its source instead of vendored. */
export const noLinkMode: RecordCheck = (ctx): Findings => ({
  errors: ctx.record.mode === 'link'
    ? [{
      code: 'PRODUCTION_LINK_MODE',
      message: `${ctx.infra.name}: ${ctx.name} is linked to its source, not vendored`,
      ...at(ctx),
      hint: `run providers:vendor --provider ${ctx.name} --infra ${ctx.infra.name} --ver <range>`,
    }]
    : [],
  warnings: [],
});

/** `VERSION_UNPINNED`: the record holds no exact semver version. */
export const pinnedVersion: RecordCheck = (ctx): Findings => ({
  errors: isPinned(ctx.record.version)
    ? []
    : [{ code: 'VERSION_UNPINNED', message: `${ctx.infra.name}: ${ctx.name} has no exact version recorded (${ctx.record.version ?? 'none'})`, ...at(ctx) }],
  warnings: [],
});

/** `VENDOR_DRIFT`: a vendored copy must be exactly what its pack held. */
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

/** The production rules, run after the standard checks of each record. */
export const PRODUCTION_CHECKS: RecordCheck[] = [noLinkMode, pinnedVersion, vendoredDigests];
