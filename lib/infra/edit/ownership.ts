/**
 * What the tool owns in an infra, decided here once for install, remove, sync and vendor: the
 * `manifest.toml` dependency line a record implies, the record install writes, the flags that
 * remember what the tool created (`created_dependencies_table`, `created_vendor_folder`), and
 * when a hand-made change is DRIFT.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/types.ts';
import { drift } from '../../errors.ts';
import { dependencyIs, getDependency, hasDependenciesTable, listDependencies, parseManifest, withDependency } from '../../formats/toml/dependencies.ts';
import { FLAGS, getFlag, setFlag, type ProviderRecord } from '../../formats/records/index.ts';
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
export function claimDependency(edit: InfraEdit, module: string, desired: Entry, { action, acceptable = [], force = false }: ClaimOptions): void {
  const { manifest } = edit;
  const current = getDependency(manifest, module);
  if (current !== undefined && !force && ![desired, ...acceptable].some((entry) => entry !== undefined && dependencyIs(manifest, module, entry))) {
    throw drift(action, `${manifest.file} has ${module} = ${JSON.stringify(current)}`, { file: manifest.file });
  }
  if (!hasDependenciesTable(manifest)) setFlag(edit.records, FLAGS.createdTable, true);
  edit.manifest = parseManifest(withDependency(manifest, module, desired), manifest.file, manifest.exists);
}

/**
 * Removes `[dependencies] <module>`; the table goes too when it is left empty and the tool
 * created it (so install then remove gives the file's bytes back).
 */
export function releaseDependency(edit: InfraEdit, module: string): void {
  const { manifest, records } = edit;
  const emptied = Object.keys(listDependencies(manifest)).every((key) => key === module);
  const dropTable = emptied && getFlag(records, FLAGS.createdTable);
  if (dropTable) setFlag(records, FLAGS.createdTable, false);
  edit.manifest = parseManifest(withDependency(manifest, module, undefined, { dropEmptyTable: dropTable }), manifest.file, manifest.exists);
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
