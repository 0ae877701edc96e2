import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { isProvisioningError, type Problem, toProblem } from '../errors.ts';
import { dependencyLine, listDependencies, type TomlManifest } from '../formats/toml/dependencies.ts';
import { listRecords, type RecordEntry } from '../formats/records/index.ts';
import type { RecordsFile } from '../formats/records/index.ts';
import { checkRecord, type Findings, type RecordCheck } from './check-record.ts';
import { findInfra, type Infra, scanInfras } from '../tree/infras.ts';
import { scanProviders } from '../tree/providers.ts';
import { modulesDirOf, rootRelative } from '../tree/layout.ts';
import { PRODUCTION_CHECKS } from './production.ts';
import { readInfraManifest, readInfraRecords } from './state.ts';

export interface ValidateOptions {
  config: Config;
  /** Only this infra. Default: every infra under `paths.infra`. */
  infra?: string | undefined;
  /** Also apply {@link PRODUCTION_CHECKS}. Default false. */
  production?: boolean;
  /** More checks per record, after the standard (and production) ones. Default none. */
  checks?: readonly RecordCheck[];
}

export interface InfraReport extends Findings {
  infra: string;
  /** How many providers its yaml records. */
  providers: number;
}

export interface ValidateResult extends Findings {
  infras: InfraReport[];
  /**
   * What is wrong with the tree itself, when every infra is validated: folders under
   * `workspace/infra/` and `extensions/providers/` that are no infra or provider (INVALID_NAME,
   * LINK_CONFLICT), and providers' warnings (NAME_MISMATCH). Also in `errors` and `warnings`.
   */
  tree: Findings;
}

async function attempt<T>(read: () => Promise<T>, errors: Problem[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!isProvisioningError(error)) throw error;
    errors.push(toProblem(error));
    return undefined;
  }
}

/**
 * Validates infras and reports every problem found, not the first: unparsable manifests,
 * malformed records, missing / dangling / escaping links, disagreement among link,
 * manifest.toml and yaml, and unresolved imports. Never writes. Errors and warnings are data;
 * the caller decides what fails.
 */
export async function validateInfras({ config, infra, production = false, checks = [] }: ValidateOptions): Promise<ValidateResult> {
  const tree: Findings = { errors: [], warnings: [] };
  let infras: Infra[];
  if (infra === undefined) {
    const scanned = await scanInfras(config);
    const providers = await scanProviders(config);
    infras = scanned.infras;
    tree.errors.push(...scanned.problems, ...providers.problems);
    tree.warnings.push(...providers.providers.flatMap((p) => p.warnings));
  } else infras = [await findInfra(config, infra)];
  const extra = [...(production ? PRODUCTION_CHECKS : []), ...checks];
  const importCache = new Map<string, Promise<Problem[]>>();
  const reports: InfraReport[] = [];
  for (const one of infras) reports.push(await validateInfra(config, one, extra, importCache));
  return { infras: reports, tree, errors: [...tree.errors, ...reports.flatMap((r) => r.errors)], warnings: [...tree.warnings, ...reports.flatMap((r) => r.warnings)] };
}

async function validateInfra(config: Config, infra: Infra, extra: readonly RecordCheck[], importCache: Map<string, Promise<Problem[]>>): Promise<InfraReport> {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const manifest = await attempt(() => readInfraManifest(config, infra), errors);
  const records = await attempt(() => readInfraRecords(config, infra), errors);
  const entries = records ? listRecords(records) : [];
  if (records && !records.exists) warnings.push({ code: 'MANIFEST_INVALID', message: `${infra.name}: has no providers.manifest.yaml`, file: records.file });
  for (const entry of entries) {
    errors.push(...entry.problems);
    if (!entry.record || !records) continue;
    const at = { file: records.file, ...(entry.line ? { line: entry.line } : {}), ...(entry.column ? { column: entry.column } : {}) };
    const found = await checkRecord({ config, infra, name: entry.name, record: entry.record, manifest, at, importCache, stamp: entry.stamp }, extra);
    errors.push(...found.errors);
    warnings.push(...found.warnings);
  }
  if (records) errors.push(...(await unrecorded(config, infra, manifest, records, entries)));
  return { infra: infra.name, providers: entries.length, errors: errors.map(tag(infra)), warnings: warnings.map(tag(infra)) };
}

/** Every problem names its infra: one provider's broken import shows once per infra using it. */
function tag(infra: Infra): (problem: Problem) => Problem {
  const prefix = `${infra.name}: `;
  return (problem) => (problem.message.startsWith(prefix) ? problem : { ...problem, message: prefix + problem.message });
}

/** Links and manifest.toml entries that look like install's but have no record in the yaml. */
async function unrecorded(config: Config, infra: Infra, manifest: TomlManifest | undefined, records: RecordsFile, entries: RecordEntry[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const recorded = new Set(entries.map((e) => e.record?.module ?? `${e.name}_prov`));
  for (const [module, value] of Object.entries(manifest ? listDependencies(manifest) : {})) {
    const spec = (value as { path?: unknown } | undefined)?.path;
    const ours = typeof spec === 'string' && [config.nickel.modulesDir, config.kcl.modulesDir, 'vendor'].some((dir) => spec.startsWith(`./${dir}/`));
    if (!ours || recorded.has(module)) continue;
    const line = dependencyLine(manifest!, module);
    problems.push({
      code: 'RECORD_MISMATCH',
      message: `${infra.name}: ${manifest!.file} depends on ${module} (${spec}) but ${records.file} has no record of it`,
      file: manifest!.file,
      ...(line ? { line } : {}),
      hint: 'install it again, or remove the entry',
    });
  }
  for (const language of ['nickel', 'kcl'] as const) {
    const dir = modulesDirOf(config, infra, language);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const entry = entries.find((e) => e.record?.module === name);
      if (entry && entry.record?.mode === 'link' && entry.record.language === language) continue;
      const file = rootRelative(config, path.join(dir, name));
      problems.push({
        code: 'RECORD_MISMATCH',
        message: `${infra.name}: ${file} is not recorded in ${records.file}`,
        file,
        hint: 'run providers:remove --force, or install it again',
      });
    }
  }
  return problems;
}
