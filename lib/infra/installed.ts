import type { Config } from '../config/types.ts';
import type { InstallMode } from '../formats/records/index.ts';
import { listRecords } from '../formats/records/index.ts';
import { checkRecord } from './check-record.ts';
import { findInfra } from '../tree/infras.ts';
import { readInfraState } from './state.ts';

export interface InstalledOptions {
  config: Config;
  /** Infra name. */
  infra: string;
}

/** One provider an infra has, as `providers:installed` shows it. */
export interface InstalledRow {
  name: string;
  module: string;
  mode: InstallMode | '?';
  version: string | null;
  source: string;
  language: string;
  /** `ok`, or the codes of what `providers:validate` would report for it. */
  status: string;
}

/**
 * What an infra's `providers.manifest.yaml` records, each row with a status from the same
 * checks `providers:validate` runs (so a missing link shows as `LINK_MISSING`). Reads only.
 */
export async function listInstalled({ config, infra: infraName }: InstalledOptions): Promise<InstalledRow[]> {
  const infra = await findInfra(config, infraName);
  const { manifest, records } = await readInfraState(config, infra);
  const rows: InstalledRow[] = [];
  for (const entry of listRecords(records)) {
    const record = entry.record;
    if (!record) {
      rows.push({ name: entry.name, module: '?', mode: '?', version: null, source: '?', language: '?', status: entry.problems.map((p) => p.code).join(',') });
      continue;
    }
    const at = { file: records.file, ...(entry.line ? { line: entry.line } : {}) };
    const { errors } = await checkRecord({ config, infra, name: entry.name, record, manifest, at });
    const codes = [...new Set(errors.map((p) => p.code))];
    rows.push({
      name: entry.name,
      module: record.module,
      mode: record.mode,
      version: record.version,
      source: record.source,
      language: record.language,
      status: codes.length ? codes.join(',') : 'ok',
    });
  }
  return rows;
}
