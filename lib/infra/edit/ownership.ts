/**
 * What the tool owns in an infra, decided here once for install, remove, sync and vendor: the
 * `manifest.toml` dependency line a record implies, the record install writes, what was there
 * before (`preexisting_dependency` on a record), the flags that remember what the tool created
 * (`created_dependencies_table`, `created_vendor_folder`, `created_records_file`,
 * `created_manifest_file`, in the yaml kept in git), and when a hand-made change is DRIFT.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/types.ts';
import { drift } from '../../errors.ts';
import { dependencyIs, getDependency, hasDependenciesTable, listDependencies, parseManifest, withDependency } from '../../formats/toml/dependencies.ts';
import { deleteRecord, emptyMapOnOwnLine, emptyRecordsFile, FLAGS, getFlag, listRecords, recordFields, recordsText, setFlag, setRecord, type ProviderRecord, type RecordEntry } from '../../formats/records/index.ts';
import { moduleName } from '../../names.ts';
import { moduleDirOf, rootRelative, vendorDirOf } from '../../tree/layout.ts';
import type { Provider } from '../../tree/providers.ts';
import type { InfraEdit } from './open.ts';

type Entry = Record<string, string>;

/** The `[dependencies]` entry a record implies. */
export function dependencyFor(config: Config, record: Pick<ProviderRecord, 'mode' | 'module' | 'version' | 'language'>): Entry {
  if (record.mode === 'vendor') {
    const entry: Entry = { path: `./vendor/${record.module}` };
    if (record.version !== null) entry.version = record.version;
    return entry;
  }
  const dir = config[record.language].modulesDir.split(path.sep).join('/').replace(/^\.\/|\/$/g, '');
  return { path: `./${dir}/${record.module}` };
}

/** The record install writes for a provider linked into an infra. */
export function linkRecordFor(config: Config, provider: Provider): ProviderRecord {
  return {
    module: provider.module,
    mode: 'link',
    version: provider.version ?? null,
    source: rootRelative(config, provider.moduleDir),
    language: provider.language,
  };
}

/** The link record of `name` for `language`, as install would write it (version aside). */
export function expectedLinkRecord(config: Config, name: string, language: ProviderRecord['language']): ProviderRecord {
  return { module: moduleName(name), mode: 'link', version: null, source: rootRelative(config, moduleDirOf(config, name, language)), language };
}

/** True when two records describe the same installation (the version may have moved on). */
export function sameInstall(a: ProviderRecord, b: ProviderRecord): boolean {
  return a.module === b.module && a.mode === b.mode && a.source === b.source && a.language === b.language;
}

/**
 * Why `providers.<name>` is not a record the tool writes (hand-edited: not a mapping, missing
 * fields, another module, a link whose source is not the provider's folder), or undefined.
 */
export function recordDrift(config: Config, name: string, entry: RecordEntry | undefined): string | undefined {
  if (!entry) return undefined;
  const record = entry.record;
  if (!record) return `its record is not one the tool writes (${entry.problems.map((p) => p.message).join('; ')})`;
  if (record.module !== moduleName(name)) return `its record names module "${record.module}", not "${moduleName(name)}"`;
  if (record.mode === 'link' && !sameInstall(record, expectedLinkRecord(config, name, record.language))) return `its record says source "${record.source}", not the provider's folder`;
  return undefined;
}

/** DRIFT for a hand-edited record of `name` (see {@link recordDrift}), unless `force`. */
export function assertRecordOwned(edit: InfraEdit, name: string, action: string, force: boolean): RecordEntry | undefined {
  const entry = listRecords(edit.records).find((e) => e.name === name);
  const why = recordDrift(edit.config, name, entry);
  if (why !== undefined && !force) throw drift(action, why, { file: edit.records.file, ...(entry?.line ? { line: entry.line } : {}) });
  return entry;
}

export interface ClaimOptions {
  /** What the caller is doing, for DRIFT: `install "aws" into "wuji"`. Required. */
  action: string;
  /** Entries the tool may have written there before (the previous record's, a link entry…). Default none. */
  acceptable?: readonly (Entry | undefined)[];
  /** Replace a hand-edited entry. Default false. */
  force?: boolean;
}

/**
 * Sets `[dependencies] <module>` to `desired` in the edit's manifest.toml, every other byte kept.
 * An entry already there that is neither `desired` nor one the tool may have written is DRIFT
 * unless `force`. A `[dependencies]` table the tool has to create is remembered as its own.
 */
export function claimDependency(edit: InfraEdit, module: string, desired: Entry, { action, acceptable = [], force = false }: ClaimOptions): 'written' | 'kept' | 'replaced' {
  const { manifest } = edit;
  const current = getDependency(manifest, module);
  if (current !== undefined && !force && ![desired, ...acceptable].some((entry) => entry !== undefined && dependencyIs(manifest, module, entry))) {
    throw drift(action, `${manifest.file} has ${module} = ${JSON.stringify(current)}`, { file: manifest.file });
  }
  if (current !== undefined && dependencyIs(manifest, module, desired)) return 'kept';
  if (!manifest.exists && !edit.original.exists) setFlag(edit.records, FLAGS.createdManifestFile, true);
  if (!hasDependenciesTable(manifest)) setFlag(edit.records, FLAGS.createdTable, true);
  edit.manifest = parseManifest(withDependency(manifest, module, desired), manifest.file, manifest.exists);
  return current === undefined ? 'written' : 'replaced';
}

/**
 * Writes `providers.<name>` as `record`. A records file the tool has to create says so
 * (`created_records_file`), and so does an empty map that was on a line of its own.
 */
export function putRecord(edit: InfraEdit, name: string, record: ProviderRecord): void {
  if (!edit.records.exists) setFlag(edit.records, FLAGS.createdRecordsFile, true);
  if (emptyMapOnOwnLine(edit.records)) setFlag(edit.records, FLAGS.emptyMapOnOwnLine, true);
  setRecord(edit.records, name, recordFields(record));
}

/**
 * Deletes `providers.<name>`. When that was the last one of a records file the tool created, and
 * nobody wrote anything else in it, the file goes too.
 */
export function dropRecord(edit: InfraEdit, name: string): void {
  const { records } = edit;
  deleteRecord(records, name);
  if (listRecords(records).length > 0) return;
  // Emptied: the text puts the map back as it was written (records/text.ts reads the flag as it was).
  setFlag(records, FLAGS.emptyMapOnOwnLine, false);
  if (!getFlag(records, FLAGS.createdRecordsFile)) return;
  setFlag(records, FLAGS.createdRecordsFile, false);
  const others = Object.values(FLAGS).filter((flag) => getFlag(records, flag));
  if (others.length === 0 && recordsText(records) === recordsText(emptyRecordsFile(records.file))) edit.remove.add('records');
}

/**
 * Removes `[dependencies] <module>`; the table goes too when it is left empty and the tool
 * created it (so install then remove gives the file's bytes back).
 */
export function releaseDependency(edit: InfraEdit, module: string, record: ProviderRecord | undefined): void {
  const { manifest, records } = edit;
  if (record?.preexistingDependency) {
    // The user's line: it stays. Vendoring pinned it; it gets the link entry it held back.
    const theirs = dependencyFor(edit.config, { ...record, mode: 'link' });
    if (!dependencyIs(manifest, module, theirs)) edit.manifest = parseManifest(withDependency(manifest, module, theirs), manifest.file, manifest.exists);
    return;
  }
  const emptied = Object.keys(listDependencies(manifest)).every((key) => key === module);
  const dropTable = emptied && getFlag(records, FLAGS.createdTable);
  if (dropTable) setFlag(records, FLAGS.createdTable, false);
  edit.manifest = parseManifest(withDependency(manifest, module, undefined, { dropEmptyTable: dropTable }), manifest.file, manifest.exists);
  if (getFlag(records, FLAGS.createdManifestFile) && edit.manifest.text.trim() === '') {
    setFlag(records, FLAGS.createdManifestFile, false);
    edit.remove.add('manifest');
  }
}

/**
 * Plans deleting `vendor/<module>/` (after the files are written); when providers:vendor made
 * `vendor/` and the copy is the last thing in it, `vendor/` goes too and the flag is cleared.
 */
export async function releaseVendoredCopy(edit: InfraEdit, module: string): Promise<void> {
  const dir = vendorDirOf(edit.infra, module);
  const others = (await readdir(path.dirname(dir)).catch(() => [] as string[])).filter((name) => name !== module);
  const lastOne = getFlag(edit.records, FLAGS.createdVendorFolder) && others.length === 0;
  if (lastOne) setFlag(edit.records, FLAGS.createdVendorFolder, false);
  edit.after.push({ kind: 'rm-tree', dir, ...(lastOne ? { removeEmptyParent: true } : {}) });
}
