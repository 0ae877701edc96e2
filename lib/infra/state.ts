import { readTextIfExists } from '../fs/read.ts';
import type { Config } from '../config/types.ts';
import { parseManifest, type TomlManifest } from '../formats/toml/dependencies.ts';
import { parseRecordsFile, type RecordsFile } from '../formats/records/index.ts';
import type { Infra } from '../tree/infras.ts';
import { rootRelative } from '../tree/layout.ts';

/** An infra's two manifests, read and parsed together (under the infra's lock when editing). */
export interface InfraState {
  infra: Infra;
  manifest: TomlManifest;
  records: RecordsFile;
}

/** Reads `manifest.toml` and `providers.manifest.yaml`; either may be absent (treated as empty). */
export async function readInfraManifest(config: Config, infra: Infra): Promise<TomlManifest> {
  const text = await readTextIfExists(infra.manifestFile);
  return parseManifest(text ?? '', rootRelative(config, infra.manifestFile), text !== undefined);
}

export async function readInfraRecords(config: Config, infra: Infra): Promise<RecordsFile> {
  const text = await readTextIfExists(infra.recordFile);
  return parseRecordsFile(text ?? '', rootRelative(config, infra.recordFile), text !== undefined);
}

/** Both manifests; `MANIFEST_PARSE` (file:line:column) when either does not parse. */
export async function readInfraState(config: Config, infra: Infra): Promise<InfraState> {
  return { infra, manifest: await readInfraManifest(config, infra), records: await readInfraRecords(config, infra) };
}
