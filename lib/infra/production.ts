import type { Problem } from '../errors.ts';
import type { Findings, RecordCheck, RecordContext } from './check-record.ts';
import { vendoredDigests } from '../vendor/drift-check.ts';
import { isPinned } from './version.ts';

/**
 * What `providers:validate --production` adds to the standard checks, one function per rule.
 * Production deploys immutable, verified artifacts, so a live link to mutable source and a
 * version that is not one exact release are errors there, and so is a vendored file that differs
 * from its pack's PACK.json (`VENDOR_DRIFT`, lib/vendor/drift-check.ts).
 */

function at(ctx: RecordContext): Pick<Problem, 'file' | 'line' | 'column'> {
  return ctx.at;
}

/** `PRODUCTION_LINK_MODE`: a provider linked to its source instead of vendored. */
export const noLinkMode: RecordCheck = (ctx): Findings => ({
  errors:
    ctx.record.mode === 'link'
      ? [{ code: 'PRODUCTION_LINK_MODE', message: `${ctx.infra.name}: ${ctx.name} is linked to its source, not vendored`, ...at(ctx), hint: `run providers:vendor --provider ${ctx.name} --infra ${ctx.infra.name} --ver <range>` }]
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

/** The production rules, run after the standard checks of each record. */
export const PRODUCTION_CHECKS: RecordCheck[] = [noLinkMode, pinnedVersion, vendoredDigests];
