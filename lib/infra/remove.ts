import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { suggestion } from '../did-you-mean.ts';
import { drift, type Problem, ProblemsError, ProvisioningError, toProblem } from '../errors.ts';
import { listRecords } from '../formats/records/index.ts';
import { getDependency } from '../formats/toml/dependencies.ts';
import { assertName, moduleName } from '../names.ts';
import { findInfra } from '../tree/infras.ts';
import { linkPathOf, moduleDirOf, rootRelative, vendorDirOf } from '../tree/layout.ts';
import { editInfra } from './edit/open.ts';
import { assertDependencyOwned, dependencyFor, dropRecord, expectedLinkRecord, recordDrift, releaseDependency, releaseVendoredCopy } from './edit/ownership.ts';
import { inspectLink, linksTo } from './link.ts';
import { inspectVendoredCopy, vendorModified } from './vendored-copy.ts';

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
  warnings: Problem[];
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
  const module = moduleName(name);
  const infra = await findInfra(config, infraName);
  const action = `remove "${name}" from "${infra.name}"`;
  const { changes, warnings } = await editInfra(config, infra, async (edit) => {
    const entries = listRecords(edit.records);
    const entry = entries.find((e) => e.name === name);
    const found: ProvisioningError[] = [];
    const record = entry?.record;
    const edited = recordDrift(config, name, entry);
    if (edited !== undefined) found.push(drift(action, edited, { file: edit.records.file, ...(entry?.line ? { line: entry.line } : {}) }));
    const current = getDependency(edit.manifest, module);
    const expected = dependencyFor(config, record ?? expectedLinkRecord(config, name, config.language));
    try {
      assertDependencyOwned(edit, module, [expected], action);
    } catch (error) {
      found.push(error as ProvisioningError);
    }

    const languages: Language[] = record ? (record.mode === 'link' ? [record.language] : []) : ['nickel', 'kcl'];
    for (const language of languages) {
      const linkPath = linkPathOf(config, edit.infra, name, language);
      const link = await inspectLink(linkPath);
      if (link.kind === 'other') {
        throw new ProvisioningError('LINK_CONFLICT', `Cannot remove "${rootRelative(config, linkPath)}": it is a real ${link.type}, not a link install made`, {
          hint: 'providers:remove never deletes what it did not create; move it away yourself',
          file: rootRelative(config, linkPath),
        });
      }
      if (link.kind === 'absent') continue;
      if (!linksTo(link, moduleDirOf(config, name, language))) {
        found.push(drift(action, `${rootRelative(config, linkPath)} points to "${link.target}"`, { file: rootRelative(config, linkPath) }));
      }
      edit.before.push({ kind: 'unlink', path: linkPath, target: link.target }, { kind: 'rmdir-if-empty', dir: path.dirname(linkPath) });
    }

    if (!entry && current === undefined && edit.before.length === 0) {
      throw new ProvisioningError('NOT_INSTALLED', `Cannot remove "${name}" from "${edit.infra.name}": it is not installed there`, {
        hint: suggestion(name, entries.map((e) => e.name), 'installed provider'),
      });
    }
    // A line or link with no record: nothing says the tool made them.
    if (!entry) {
      found.push(
        drift(action, `${edit.records.file} has no record of it, so its ${current !== undefined ? 'manifest.toml entry' : 'link'} was not made by providers:install`, {
          file: edit.records.file,
        }),
      );
    }
    if (record?.mode === 'vendor') {
      const dir = vendorDirOf(edit.infra, module);
      const copy = await inspectVendoredCopy({ dir, module, version: record.version, packManifest: record.packManifest });
      if (copy.kind === 'modified') {
        found.push(vendorModified(action, rootRelative(config, dir), copy.reason));
      }
    }
    if (found.length > 0 && !force) {
      if (found.length === 1) throw found[0]!;
      throw new ProblemsError(found.map(toProblem));
    }

    // The folder is named from the validated provider name, never from the yaml's text; first,
    // since taking the last copy clears the vendor flag the records file's own fate depends on.
    if (record?.mode === 'vendor') await releaseVendoredCopy(edit, module);
    releaseDependency(edit, module, record);
    dropRecord(edit, name);
  });
  return { provider: name, infra: infra.name, changes, warnings };
}
