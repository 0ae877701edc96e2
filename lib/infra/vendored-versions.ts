/**
 * Which infras have vendored which pack versions: what `pack:clean` must never delete.
 */
import type { Config } from '../config/types.ts';
import { scanInfras } from '../tree/infras.ts';
import { readInfraRecords } from './state.ts';
import { listRecords } from '../formats/records/index.ts';

/** `<module>@<version>` → the infras (sorted) whose providers.manifest.yaml vendors it. */
export async function vendoredVersions(config: Config): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  // Folders validate reports (a bad name, a symlink) count too: unknown usage must not look like none.
  const { infras, others } = await scanInfras(config);
  for (const infra of [...infras, ...others]) {
    // A yaml that does not parse throws (MANIFEST_PARSE): unknown usage must not look like none.
    const records = await readInfraRecords(config, infra);
    for (const entry of listRecords(records)) {
      const r = entry.record;
      if (r?.mode !== 'vendor' || r.version === null) continue;
      const key = vendoredKey(r.module, r.version);
      found.set(key, [...(found.get(key) ?? []), infra.name].sort());
    }
  }
  return found;
}

export function vendoredKey(module: string, version: string): string {
  return `${module}@${version}`;
}
