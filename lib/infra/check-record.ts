import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { Config } from '../config/types.ts';
import { type ErrorCode, isProvisioningError, type Problem, toProblem } from '../errors.ts';
import { isInside } from '../fs/inside.ts';
import { dependencyIs, dependencyLine, getDependency, type TomlManifest } from '../formats/toml/dependencies.ts';
import type { ProviderRecord } from '../formats/records/index.ts';
import { moduleName, NAME_PATTERN } from '../names.ts';
import { findProvider, type Provider } from '../tree/providers.ts';
import type { Infra } from '../tree/infras.ts';
import { checkImports } from './import-check.ts';
import { linkPathOf, moduleDirOf, rootRelative, vendorDirOf } from '../tree/layout.ts';
import { dependencyFor, stampOf } from './edit/ownership.ts';
import { inspectLink } from './link.ts';

/** Everything a check of one recorded provider needs. */
export interface RecordContext {
  config: Config;
  infra: Infra;
  name: string;
  record: ProviderRecord;
  /** The infra's manifest.toml; undefined when it does not parse (reported on its own). */
  manifest: TomlManifest | undefined;
  /** Where the record is, for problems about it. */
  at: { file: string; line?: number; column?: number };
  /** The record's `stamp` as found in the yaml, if any (lib/infra/edit/ownership.ts). */
  stamp?: string | undefined;
  /** The provider in the tree, when it exists (set by {@link checkRecord} before extra checks run). */
  provider?: Provider;
  /** Import problems per module folder, shared across infras within one validation. */
  importCache?: Map<string, Promise<Problem[]>>;
}

export interface Findings {
  errors: Problem[];
  warnings: Problem[];
}

/** A check added to the standard ones (production rules, vendored digests…). */
export type RecordCheck = (ctx: RecordContext) => Promise<Findings> | Findings;

function problem(code: ErrorCode, message: string, where: { file: string; line?: number; column?: number }, hint?: string): Problem {
  return { code, message, ...where, ...(hint ? { hint } : {}) };
}

/**
 * Checks one record against the tree: the provider exists, its link (or vendored copy) is
 * there and leads into the provider tree, link / manifest.toml / yaml agree, and its module's
 * imports resolve. Collects every problem; throws only for the unexpected.
 */
export async function checkRecord(ctx: RecordContext, extra: readonly RecordCheck[] = []): Promise<Findings> {
  const { config, infra, name, record, at } = ctx;
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const where = `${infra.name}: ${name}`;
  if (!NAME_PATTERN.test(name)) return { errors: [problem('INVALID_NAME', `Cannot check "${name}" in ${infra.name}: not a provider name`, at)], warnings };
  if (record.module !== moduleName(name)) {
    errors.push(problem('RECORD_MISMATCH', `${where}: record says module "${record.module}", expected "${moduleName(name)}"`, at));
  }
  if (record.mode === 'link' || existsSync(moduleDirOf(config, name, record.language))) {
    try {
      ctx.provider = await findProvider(config, name, { lang: record.language });
      if (ctx.provider.problem) errors.push(ctx.provider.problem);
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      errors.push({ ...at, ...toProblem(error) });
    }
  }
  let moduleDir: string | undefined;
  if (record.mode === 'link') moduleDir = await checkLink(ctx, errors);
  else {
    const vendorDir = vendorDirOf(infra, moduleName(name));
    if (existsSync(vendorDir)) moduleDir = vendorDir;
    else errors.push(problem('LINK_MISSING', `${where}: vendored copy ${rootRelative(config, vendorDir)}/ is missing`, at, 'run providers:vendor again'));
  }
  if (ctx.manifest) {
    const expected = dependencyFor(config, record);
    if (!dependencyIs(ctx.manifest, record.module, expected)) {
      const current = getDependency(ctx.manifest, record.module);
      const line = dependencyLine(ctx.manifest, record.module);
      // A line that is there was edited by hand: sync calls that DRIFT and replaces it only with --force.
      const sync = `npx gulp providers:sync --infra ${infra.name}${current === undefined ? '' : ' --force'}`;
      errors.push(
        problem(
          'RECORD_MISMATCH',
          `${where}: ${ctx.manifest.file} has ${record.module} = ${JSON.stringify(current) ?? '(nothing)'}, the record implies ${JSON.stringify(expected)}`,
          { file: ctx.manifest.file, ...(line ? { line } : {}) },
          `run \`${sync}\` to rewrite it from the record`,
        ),
      );
    }
  }
  if (ctx.stamp !== undefined && ctx.stamp !== stampOf(record)) {
    warnings.push(
      problem(
        'DRIFT',
        `${where}: its record was changed by hand since the tool wrote it`,
        at,
        `install, remove and vendor refuse it until --force; run providers:install (or providers:vendor) again to write it anew`,
      ),
    );
  }
  if (record.version === null) warnings.push(problem('VERSION_UNPINNED', `${where}: no version recorded`, at));
  else if (record.mode === 'link' && ctx.provider?.version !== undefined && ctx.provider.version !== record.version) {
    warnings.push(
      problem('VERSION_MISMATCH', `${where}: recorded version ${record.version}, the provider is now at ${ctx.provider.version}`, at, 'run providers:install again to record it'),
    );
  }
  if (moduleDir && record.language === 'nickel') {
    const cache = ctx.importCache ?? new Map<string, Promise<Problem[]>>();
    if (!cache.has(moduleDir)) cache.set(moduleDir, checkImports({ moduleDir, boundary: config.root, display: (f) => rootRelative(config, f) }));
    errors.push(...(await cache.get(moduleDir)!));
  }
  for (const check of extra) {
    const more = await check(ctx);
    errors.push(...more.errors);
    warnings.push(...more.warnings);
  }
  return { errors, warnings };
}

/** The link checks; returns the folder whose imports to scan (when the link leads somewhere sane). */
async function checkLink(ctx: RecordContext, errors: Problem[]): Promise<string | undefined> {
  const { config, infra, name, record, at } = ctx;
  const moduleDir = moduleDirOf(config, name, record.language);
  const source = rootRelative(config, moduleDir);
  if (record.source !== source) errors.push(problem('RECORD_MISMATCH', `${infra.name}: ${name}: record says source "${record.source}", the provider is at "${source}"`, at));
  const linkPath = linkPathOf(config, infra, name, record.language);
  const shown = { file: rootRelative(config, linkPath) };
  const link = await inspectLink(linkPath);
  if (link.kind === 'absent') {
    errors.push(
      problem('LINK_MISSING', `${infra.name}: ${name}: link ${shown.file} is missing`, shown, `run \`npx gulp providers:sync --infra ${infra.name}\` to create it from the record`),
    );
    return undefined;
  }
  if (link.kind === 'other') {
    errors.push(problem('LINK_CONFLICT', `${infra.name}: ${name}: ${shown.file} is a real ${link.type}, not a link`, shown));
    return undefined;
  }
  if (!link.exists) {
    // Sync can rebuild the link only while the provider is there, and replaces a link pointing
    // elsewhere only with --force; a provider that is gone is taken out of the infra instead.
    const hint = existsSync(moduleDir)
      ? `run \`npx gulp providers:sync --infra ${infra.name} --force\` to point it at ${source} again`
      : `the provider's folder ${source} is gone: put it back, or run \`npx gulp providers:remove --provider ${name} --infra ${infra.name} --force\` to take it out of ${infra.name}`;
    errors.push(problem('LINK_DANGLING', `${infra.name}: ${name}: link ${shown.file} -> "${link.target}" leads nowhere`, shown, hint));
    return undefined;
  }
  const tree = await realpath(config.paths.providers).catch(() => config.paths.providers);
  if (!isInside(tree, link.real!)) {
    errors.push(
      problem('LINK_OUTSIDE_TREE', `${infra.name}: ${name}: link ${shown.file} -> "${link.target}" leads outside ${rootRelative(config, config.paths.providers)}`, shown),
    );
    return undefined;
  }
  const expected = await realpath(moduleDir).catch(() => moduleDir);
  if (link.real !== expected) {
    errors.push(problem('RECORD_MISMATCH', `${infra.name}: ${name}: link ${shown.file} -> "${link.target}", the record implies "${source}"`, shown));
  }
  return link.real;
}
