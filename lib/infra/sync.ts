import { existsSync } from 'node:fs';
import type { Config } from '../config/types.ts';
import { isProvisioningError, toProblem, type Problem } from '../errors.ts';
import { withLock } from '../fs/lock.ts';
import { dependencyIs, getDependency, hasDependenciesTable, parseManifest, withDependency } from '../formats/toml/dependencies.ts';
import { listRecords } from '../formats/records/read.ts';
import { CREATED_TABLE_KEY, recordsText, setFlag } from '../formats/records/edit.ts';
import { moduleName } from '../names.ts';
import { findProvider } from '../providers/discover.ts';
import { findInfra, listInfras, type Infra } from './find.ts';
import { dependencyFor, rootRelative, vendorDirOf } from './layout.ts';
import { execute, type Operation } from './operations.ts';
import { planLink } from './plan-link.ts';
import { readInfraState } from './state.ts';

export interface SyncOptions {
  config: Config;
  /** Only this infra. Default: every infra. */
  infra?: string | undefined;
  /** Replace symlinks pointing elsewhere and hand-edited manifest.toml entries. Default false. */
  force?: boolean;
}

export interface SyncReport {
  infra: string;
  /** What was written or linked; empty when everything already matched. */
  changes: string[];
  /** Why this infra was left untouched (it is all or nothing per infra). */
  problems: Problem[];
}

function coded(error: unknown): Problem {
  if (isProvisioningError(error)) return toProblem(error);
  throw error;
}

/**
 * Rebuilds each infra's links and `manifest.toml` entries from its `providers.manifest.yaml`
 * (the file kept in git): after a fresh clone, only the links are missing. Idempotent. Per
 * infra, every record is checked first; any problem leaves that infra untouched and is
 * reported. Links and entries that have no record are left alone (validate reports them).
 */
export async function syncInfras({ config, infra, force = false }: SyncOptions): Promise<SyncReport[]> {
  const infras = infra === undefined ? await listInfras(config) : [await findInfra(config, infra)];
  const reports: SyncReport[] = [];
  for (const one of infras) reports.push(await withLock(one.dir, () => syncInfra(config, one, force)));
  return reports;
}

async function syncInfra(config: Config, infra: Infra, force: boolean): Promise<SyncReport> {
  const report: SyncReport = { infra: infra.name, changes: [], problems: [] };
  let state;
  try {
    state = await readInfraState(config, infra);
  } catch (error) {
    report.problems.push(coded(error));
    return report;
  }
  let manifest = state.manifest;
  const links: Operation[] = [];
  for (const entry of listRecords(state.records)) {
    report.problems.push(...entry.problems);
    const record = entry.record;
    if (!record) continue;
    const at = { file: state.records.file, ...(entry.line ? { line: entry.line } : {}) };
    if (record.module !== moduleName(entry.name)) {
      report.problems.push({ code: 'RECORD_MISMATCH', message: `Cannot sync "${entry.name}": its record names module "${record.module}"`, ...at });
      continue;
    }
    try {
      if (record.mode === 'link') {
        await findProvider(config, entry.name, { lang: record.language });
        links.push(...(await planLink(config, infra, entry.name, record, { force })));
      } else if (!existsSync(vendorDirOf(infra, record.module))) {
        report.problems.push({ code: 'LINK_MISSING', message: `Cannot sync "${entry.name}": vendored copy ${rootRelative(config, vendorDirOf(infra, record.module))}/ is missing`, ...at, hint: 'run providers:vendor again' });
      }
    } catch (error) {
      report.problems.push({ ...coded(error), ...at });
    }
    const desired = dependencyFor(config, record);
    const current = getDependency(manifest, record.module);
    if (current !== undefined && !dependencyIs(manifest, record.module, desired) && !force) {
      report.problems.push({ code: 'DRIFT', message: `Cannot sync "${entry.name}": ${manifest.file} has ${record.module} = ${JSON.stringify(current)}`, file: manifest.file, hint: 'pass --force to rewrite it from the record' });
      continue;
    }
    if (!hasDependenciesTable(manifest)) setFlag(state.records, CREATED_TABLE_KEY, true);
    manifest = parseManifest(withDependency(manifest, record.module, desired), manifest.file);
  }
  if (report.problems.length > 0) return report;
  report.changes = (await execute(
    [
      { kind: 'write', file: infra.manifestFile, text: manifest.text, previous: state.manifest },
      { kind: 'write', file: infra.recordFile, text: recordsText(state.records), previous: state.records },
      ...links,
    ],
    config.root,
    infra.dir,
  )).changes;
  return report;
}
