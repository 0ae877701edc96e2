import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { suggestion } from '../did-you-mean.ts';
import { ProblemsError, ProvisioningError, toProblem } from '../errors.ts';
import { withLock } from '../fs/lock.ts';
import { dependencyIs, getDependency, listDependencies, withDependency } from '../formats/toml/dependencies.ts';
import { listRecords, type ProviderRecord } from '../formats/records/read.ts';
import { CREATED_TABLE_KEY, deleteRecord, getFlag, recordsText, setFlag } from '../formats/records/edit.ts';
import { assertName, moduleName } from '../names.ts';
import { findInfra, type Infra } from './find.ts';
import { assertRealFolders, dependencyFor, linkPathOf, moduleDirOf, rootRelative, sameInstall, vendorDirOf } from './layout.ts';
import { inspectLink, linksTo } from './link.ts';
import { execute, type Operation } from './operations.ts';
import { inspectVendoredCopy } from '../vendor/vendored-copy.ts';
import { readInfraState } from './state.ts';
import { vendorCopyRemoval } from './vendor-removal.ts';

export interface RemoveOptions {
  config: Config;
  /** Provider name. It need not exist any more: its record says what install made. */
  provider: string;
  infra: string;
  /** Also remove what drifted from what install made (a symlink elsewhere, a hand-edited entry). Default false. */
  force?: boolean;
}

export interface RemoveResult {
  provider: string;
  infra: string;
  changes: string[];
  /** Cleanup left undone: a vendored copy moved aside (records already updated) that could not be deleted. */
  warnings: string[];
}

/**
 * Undoes `installProvider`: the link, the `manifest.toml` entry, the yaml record (and, in vendor
 * mode, the vendored copy), removing the link first and the record last so an interrupted run
 * can simply be repeated. Anything that differs from what install writes is `DRIFT` unless
 * `force`; a real file or folder where the link should be is never deleted (`LINK_CONFLICT`).
 * The modules folder goes too once it is empty (it holds nothing but our links); a
 * `[dependencies]` table that install created goes once it is empty, so the manifest gets its
 * original bytes back.
 */
export async function removeProvider({ config, provider, infra: infraName, force = false }: RemoveOptions): Promise<RemoveResult> {
  const name = assertName('provider', provider);
  const infra = await findInfra(config, infraName);
  const module = moduleName(name);
  return withLock(infra.dir, async () => {
    await assertRealFolders(config, infra);
    const state = await readInfraState(config, infra);
    const entries = listRecords(state.records);
    const entry = entries.find((e) => e.name === name);
    const drift: ProvisioningError[] = [];
    const driftAt = (message: string, file: string, line?: number) =>
      drift.push(new ProvisioningError('DRIFT', `Cannot remove "${name}" from "${infra.name}": ${message}`, { file, ...(line ? { line } : {}), hint: 'not what providers:install wrote; check it, then pass --force' }));

    const record = entry?.record;
    if (entry && !record) driftAt('its record is not one install writes', state.records.file, entry.line);
    if (record && record.module !== module) driftAt(`its record names module "${record.module}", not "${module}"`, state.records.file, entry?.line);
    else if (record && record.mode === 'link' && !sameInstall(record, expectedLinkRecord(config, name, record.language))) {
      driftAt(`its record (source ${record.source}, module ${record.module}) was edited`, state.records.file, entry?.line);
    }
    const current = getDependency(state.manifest, module);
    const expected = dependencyFor(config, record ?? expectedLinkRecord(config, name, config.language));
    if (current !== undefined && !dependencyIs(state.manifest, module, expected)) {
      driftAt(`${state.manifest.file} has ${module} = ${JSON.stringify(current)}`, state.manifest.file);
    }

    const operations: Operation[] = [];
    const languages: Language[] = record ? (record.mode === 'link' ? [record.language] : []) : ['nickel', 'kcl'];
    for (const language of languages) {
      const linkPath = linkPathOf(config, infra, name, language);
      const link = await inspectLink(linkPath);
      if (link.kind === 'other') {
        throw new ProvisioningError('LINK_CONFLICT', `Cannot remove "${rootRelative(config, linkPath)}": it is a real ${link.type}, not a link install made`, {
          hint: 'providers:remove never deletes what it did not create; move it away yourself',
          file: rootRelative(config, linkPath),
        });
      }
      if (link.kind === 'absent') continue;
      if (!linksTo(link, moduleDirOf(config, name, language))) driftAt(`${rootRelative(config, linkPath)} points to "${link.target}"`, rootRelative(config, linkPath));
      operations.push({ kind: 'unlink', path: linkPath, target: link.target }, { kind: 'rmdir-if-empty', dir: path.dirname(linkPath) });
    }

    if (!entry && current === undefined && operations.length === 0) {
      throw new ProvisioningError('NOT_INSTALLED', `Cannot remove "${name}" from "${infra.name}": it is not installed there`, {
        hint: suggestion(name, entries.map((e) => e.name), 'installed provider'),
      });
    }
    if (record?.mode === 'vendor') {
      const dir = vendorDirOf(infra, module);
      const copy = await inspectVendoredCopy({ dir, module, version: record.version, packManifest: record.packManifest });
      if (copy.kind === 'modified') {
        drift.push(new ProvisioningError('VENDOR_MODIFIED', `Cannot remove "${name}" from "${infra.name}": the vendored copy ${rootRelative(config, dir)}/ was edited locally (${copy.reason})`, { file: rootRelative(config, dir), hint: 'keep your edits elsewhere first, or pass --force to discard them' }));
      }
    }
    if (drift.length > 0 && !force) {
      if (drift.length === 1) throw drift[0]!;
      throw new ProblemsError(drift.map(toProblem));
    }

    const emptied = Object.keys(listDependencies(state.manifest)).every((key) => key === module);
    const dropTable = emptied && getFlag(state.records, CREATED_TABLE_KEY);
    const tomlText = withDependency(state.manifest, module, undefined, { dropEmptyTable: dropTable });
    if (dropTable) setFlag(state.records, CREATED_TABLE_KEY, false);
    deleteRecord(state.records, name);
    // The folder is named from the validated provider name, never from the yaml's text; planned
    // before the records' text, since it may clear the created_vendor_folder flag.
    const vendorOp = record?.mode === 'vendor' ? await vendorCopyRemoval(state.records, infra, module) : undefined;
    operations.push(
      { kind: 'write', file: infra.manifestFile, text: tomlText, previous: state.manifest },
      { kind: 'write', file: infra.recordFile, text: recordsText(state.records), previous: state.records },
    );
    if (vendorOp) operations.push(vendorOp);
    return { provider: name, infra: infra.name, ...(await execute(operations, config.root, infra.dir)) };
  });
}

function expectedLinkRecord(config: Config, name: string, language: Language): ProviderRecord {
  return { module: moduleName(name), mode: 'link', version: null, source: rootRelative(config, moduleDirOf(config, name, language)), language };
}
