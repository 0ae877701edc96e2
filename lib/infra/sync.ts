import { existsSync } from 'node:fs';
import type { Config } from '../config/types.ts';
import { drift, isProvisioningError, type Problem, ProblemsError, toProblem } from '../errors.ts';
import { listRecords } from '../formats/records/index.ts';
import { moduleName } from '../names.ts';
import { findInfra, type Infra, listInfras } from '../tree/infras.ts';
import { rootRelative, vendorDirOf } from '../tree/layout.ts';
import { findProvider } from '../tree/providers.ts';
import { editInfra } from './edit/open.ts';
import { claimDependency, dependencyFor, recordDrift } from './edit/ownership.ts';
import { planLink } from './edit/plan-link.ts';
import { restoreVendoredCopy } from './vendor.ts';

export interface SyncOptions {
  config: Config;
  /** Only this infra. Default: every infra. */
  infra?: string | undefined;
  /** Replace symlinks pointing elsewhere and hand-edited manifest.toml entries. Default false. */
  force?: boolean;
  /** Talk plain HTTP to the OCI registry a vendored copy is restored from. Default `[distribution.oci] plain_http`. */
  plainHttp?: boolean | undefined;
}

export interface SyncReport {
  infra: string;
  /** What was written or linked; empty when everything already matched. */
  changes: string[];
  /** Why this infra was left untouched (it is all or nothing per infra). */
  problems: Problem[];
  /** What a vendored copy put back warned of (an unsigned pack, plain HTTP). */
  warnings: Problem[];
}

/**
 * Rebuilds each infra's links and `manifest.toml` entries from its `providers.manifest.yaml`
 * (the file kept in git): after a fresh clone, only the links are missing. Idempotent. Per
 * infra, every record is checked first; any problem leaves that infra untouched and is
 * reported. Links and entries that have no record are left alone (validate reports them).
 */
export async function syncInfras({ config, infra, force = false, plainHttp }: SyncOptions): Promise<SyncReport[]> {
  const infras = infra === undefined ? await listInfras(config) : [await findInfra(config, infra)];
  const reports: SyncReport[] = [];
  for (const one of infras) reports.push(await syncInfra(config, one, force, plainHttp));
  return reports;
}

async function syncInfra(config: Config, infra: Infra, force: boolean, plainHttp: boolean | undefined): Promise<SyncReport> {
  const warnings: Problem[] = [];
  try {
    const { changes } = await editInfra(config, infra, async (edit) => {
      const problems: Problem[] = [];
      for (const entry of listRecords(edit.records)) {
        const at = { file: edit.records.file, ...(entry.line ? { line: entry.line } : {}) };
        const edited = recordDrift(config, entry.name, entry);
        if (edited !== undefined && (!force || !entry.record || entry.record.module !== moduleName(entry.name))) {
          problems.push(force ? { code: 'MANIFEST_INVALID', message: `Cannot sync "${entry.name}": ${edited}`, ...at } : drift(`sync "${entry.name}"`, edited, at).toJSON());
          continue;
        }
        const record = entry.record!;
        try {
          if (record.mode === 'link') {
            await findProvider(config, entry.name, { lang: record.language });
            edit.after.push(...(await planLink(config, infra, entry.name, record, { force })));
          } else if (!existsSync(vendorDirOf(infra, record.module))) {
            // A fresh clone has no vendor/ (git-ignored): put it back from the very pack recorded.
            const restored = await restoreVendoredCopy(edit, record, { plainHttp });
            if (restored) warnings.push(...restored);
            else {
              problems.push({
                code: 'LINK_MISSING',
                message: `Cannot sync "${entry.name}": vendored copy ${
                  rootRelative(config, vendorDirOf(infra, record.module))
                }/ is missing, and its source ${record.source} cannot be fetched by digest`,
                ...at,
                hint: `run providers:vendor --provider ${entry.name} --infra ${infra.name} --ver ${record.version ?? '<range>'} again`,
              });
            }
          }
        } catch (error) {
          if (!isProvisioningError(error)) throw error;
          problems.push({ ...at, ...toProblem(error) });
        }
        try {
          claimDependency(edit, record.module, dependencyFor(config, record), { action: `sync "${entry.name}"`, force });
        } catch (error) {
          if (!isProvisioningError(error)) throw error;
          problems.push(toProblem(error));
        }
      }
      // All or nothing: one problem leaves the whole infra as it was.
      if (problems.length > 0) throw new ProblemsError(problems);
    });
    return { infra: infra.name, changes, problems: [], warnings };
  } catch (error) {
    if (error instanceof ProblemsError) return { infra: infra.name, changes: [], problems: error.problems, warnings };
    if (isProvisioningError(error)) return { infra: infra.name, changes: [], problems: [toProblem(error)], warnings };
    throw error;
  }
}
