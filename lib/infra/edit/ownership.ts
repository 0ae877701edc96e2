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
import {
  deleteRecord,
  emptyProvidersForm,
  emptyRecordsFile,
  FLAGS,
  getFlag,
  getMark,
  listRecords,
  MARKS,
  nullProviders,
  type ProviderRecord,
  type RecordEntry,
  recordFields,
  recordsText,
  setFlag,
  setMark,
  setRecord,
} from '../../formats/records/index.ts';
import { sha256Hex } from '../../formats/integrity.ts';
import { dependencyValueText, withDependencyValueText } from '../../formats/toml/dependency-text.ts';
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
 * The record's `stamp`: a digest of the fields the tool wrote, so a record changed by hand since
 * (a version, a source, an integrity) is told from one the tool wrote, on any clone.
 */
export function stampOf(record: ProviderRecord): string {
  return sha256Hex(JSON.stringify(recordFields(record))).slice(0, 16);
}

/**
 * Why `providers.<name>` is not a record as the tool wrote it (not a mapping, missing fields,
 * another module, a link whose source is not the provider's folder, or fields changed since the
 * tool stamped them), or undefined. A record without a stamp (written by hand for sync to
 * follow, or before stamps existed) is judged by its shape alone.
 */
export function recordDrift(config: Config, name: string, entry: RecordEntry | undefined): string | undefined {
  if (!entry) return undefined;
  const record = entry.record;
  if (!record) return `its record is not one the tool writes (${entry.problems.map((p) => p.message).join('; ')})`;
  if (record.module !== moduleName(name)) return `its record names module "${record.module}", not "${moduleName(name)}"`;
  if (record.mode === 'link' && !sameInstall(record, expectedLinkRecord(config, name, record.language))) {
    return `its record says source "${record.source}", not the provider's folder`;
  }
  if (entry.stamp !== undefined && entry.stamp !== stampOf(record)) return 'its record was changed by hand since the tool wrote it (its stamp no longer matches)';
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
  if (!force) assertDependencyOwned(edit, module, [desired, ...acceptable], action);
  if (current !== undefined && dependencyIs(manifest, module, desired)) return 'kept';
  if (!edit.original.exists) setFlag(edit.records, FLAGS.createdManifestFile, true);
  if (!hasDependenciesTable(manifest)) setFlag(edit.records, FLAGS.createdTable, true);
  edit.manifest = parseManifest(withDependency(manifest, module, desired), manifest.file, manifest.exists);
  return current === undefined ? 'written' : 'replaced';
}

/** DRIFT unless `[dependencies] <module>` is absent or one of the entries the tool may have written. */
export function assertDependencyOwned(edit: InfraEdit, module: string, ours: readonly (Entry | undefined)[], action: string): void {
  const { manifest } = edit;
  const current = getDependency(manifest, module);
  if (current === undefined || ours.some((entry) => entry !== undefined && dependencyIs(manifest, module, entry))) return;
  throw drift(action, `${manifest.file} has ${module} = ${JSON.stringify(current)}`, { file: manifest.file });
}

/**
 * What a record remembers of a dependency line that was there before the tool wrote one: its
 * value as written when it is one line, else `true` (see ProviderRecord.preexistingDependency).
 */
export function preexistingLine(edit: InfraEdit, module: string): string | true {
  return dependencyValueText(edit.manifest.text, module) ?? true;
}

/**
 * Writes `providers.<name>` as `record`, stamped. A records file the tool has to create says so
 * (`created_records_file`), and so does an empty map written other than `providers: {}`, and a
 * file that had no `providers:` key, so the last remove writes them back as they were.
 */
export function putRecord(edit: InfraEdit, name: string, record: ProviderRecord): void {
  const { records } = edit;
  if (!records.exists) setFlag(records, FLAGS.createdRecordsFile, true);
  const form = listRecords(records).length === 0 ? emptyProvidersForm(records) : undefined;
  if (form?.noKey) setFlag(records, FLAGS.createdProvidersKey, true);
  if (form?.mark !== undefined) setMark(records, MARKS.emptyProviders, form.mark);
  setRecord(records, name, { ...recordFields(record), stamp: stampOf(record) });
}

/**
 * Deletes `providers.<name>`. When that was the last one of a records file the tool created, and
 * nobody wrote anything else in it, the file goes too.
 */
export function dropRecord(edit: InfraEdit, name: string): void {
  const { records } = edit;
  deleteRecord(records, name);
  if (listRecords(records).length > 0) return;
  // Emptied: the map goes back to how it was written (records/text.ts reads the mark as it was).
  const mark = getMark(records, MARKS.emptyProviders);
  if (mark === '' || mark === '~' || /^null$/i.test(mark ?? '')) nullProviders(records);
  setMark(records, MARKS.emptyProviders, undefined);
  if (getFlag(records, FLAGS.createdProvidersKey)) {
    setFlag(records, FLAGS.createdProvidersKey, false);
    records.doc.delete('providers');
  }
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
  const theirs = record?.preexistingDependency;
  if (theirs) {
    // The user's line: it stays, or (vendoring pinned it) gets its own value back, as written.
    const back = typeof theirs === 'string' && dependencyValueText(manifest.text, module) !== theirs ? withDependencyValueText(manifest.text, module, theirs) : undefined;
    const link = dependencyFor(edit.config, { ...record, mode: 'link' });
    if (back !== undefined) edit.manifest = parseManifest(back, manifest.file, manifest.exists);
    else if (dependencyValueText(manifest.text, module) !== theirs && !dependencyIs(manifest, module, link)) {
      edit.manifest = parseManifest(withDependency(manifest, module, link), manifest.file, manifest.exists);
    }
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
