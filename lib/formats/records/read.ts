import { isMap, isScalar, type Node } from 'yaml';
import type { Language } from '../../config/types.ts';
import type { Problem } from '../../errors.ts';
import type { RecordsFile } from './edit.ts';

/** How an infra gets a provider: a live link to the source, or a verified vendored copy. */
export type InstallMode = 'link' | 'vendor';

/** One `providers.<name>` entry of `providers.manifest.yaml`. */
export interface ProviderRecord {
  /** `<name>_prov`. */
  module: string;
  mode: InstallMode;
  /** The provider's `[package] version` when recorded; `null` when it had none. */
  version: string | null;
  /** Where it came from: the language folder relative to the root (link), or the pack (vendor). */
  source: string;
  language: Language;
  /** Vendor mode only: the pack's SRI digest (`sha256-…`). */
  integrity?: string;
  /**
   * Vendor mode only, yaml `pack_manifest`: the SRI digest of the PACK.json extracted into the
   * copy. The copy's own PACK.json can be rewritten along with an edit; this one lives in the
   * records. Absent in records written before it existed.
   */
  packManifest?: string;
  /**
   * yaml `preexisting_dependency`: the manifest.toml dependency line was there before install
   * (written by hand), so remove leaves it, or puts it back: its value as written
   * (`'{path="./x"}'`) when it was one line, else `true`. Absent: install wrote it.
   */
  preexistingDependency?: boolean | string;
}

/** A record as found in the file, with where it is and what is wrong with its shape. */
export interface RecordEntry {
  name: string;
  /** Undefined when the entry's shape is unusable (see `problems`). */
  record?: ProviderRecord;
  problems: Problem[];
  line?: number;
  column?: number;
  /** yaml `stamp`: what the tool wrote, as a digest of the record's fields (lib/infra/edit/ownership.ts). */
  stamp?: string;
}

function position(records: RecordsFile, node: Node | null | undefined): { line?: number; column?: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return {};
  const pos = records.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function toRecord(value: Record<string, unknown>): { record?: ProviderRecord; missing: string[] } {
  const missing: string[] = [];
  const str = (key: string) => (typeof value[key] === 'string' && value[key] !== '' ? (value[key] as string) : (missing.push(key), ''));
  const module = str('module');
  const source = str('source');
  const mode = value.mode === 'link' || value.mode === 'vendor' ? value.mode : (missing.push('mode (link or vendor)'), 'link');
  const language = value.language === undefined
    ? 'nickel'
    : value.language === 'nickel' || value.language === 'kcl'
    ? value.language
    : (missing.push('language (nickel or kcl)'), 'nickel');
  const version = value.version === null || value.version === undefined ? null : String(value.version);
  const record: ProviderRecord = { module, mode, version, source, language };
  if (typeof value.integrity === 'string') record.integrity = value.integrity;
  else if (mode === 'vendor') missing.push('integrity');
  // Optional: records written before pack_manifest existed have none.
  if (mode === 'vendor' && typeof value.pack_manifest === 'string') record.packManifest = value.pack_manifest;
  if (value.preexisting_dependency === true || typeof value.preexisting_dependency === 'string') record.preexistingDependency = value.preexisting_dependency;
  return missing.length > 0 ? { missing } : { record, missing };
}

/** Every `providers.<name>` entry, in file order, each with its position and shape problems. */
export function listRecords(records: RecordsFile): RecordEntry[] {
  const map = records.doc.get('providers', true);
  if (!isMap(map)) return [];
  return map.items.map((pair) => {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const where = position(records, pair.key as Node);
    const entry: RecordEntry = { name, problems: [], ...where };
    if (!isMap(pair.value)) {
      entry.problems.push({ code: 'MANIFEST_INVALID', message: `Cannot read record "${name}": expected a mapping`, file: records.file, ...where });
      return entry;
    }
    const value = pair.value.toJSON() as Record<string, unknown>;
    if (typeof value.stamp === 'string') entry.stamp = value.stamp;
    const { record, missing } = toRecord(value);
    if (record) entry.record = record;
    else {
      entry.problems.push({
        code: 'MANIFEST_INVALID',
        message: `Cannot read record "${name}": missing or invalid ${missing.join(', ')}`,
        file: records.file,
        ...where,
      });
    }
    return entry;
  });
}

/** The record for `name`, when present and well-formed. */
export function getRecord(records: RecordsFile, name: string): ProviderRecord | undefined {
  return listRecords(records).find((e) => e.name === name)?.record;
}

/** The record's fields in the order install writes them, for {@link setRecord}. */
export function recordFields(record: ProviderRecord): Record<string, unknown> {
  return {
    module: record.module,
    mode: record.mode,
    version: record.version,
    source: record.source,
    language: record.language,
    integrity: record.mode === 'vendor' ? record.integrity : undefined,
    pack_manifest: record.mode === 'vendor' ? record.packManifest : undefined,
    preexisting_dependency: record.preexistingDependency === undefined || record.preexistingDependency === false ? undefined : record.preexistingDependency,
  };
}
