import type { Config, Language } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';
import { withLock } from '../fs/lock.ts';
import { dependencyIs, getDependency, hasDependenciesTable, withDependency } from '../formats/toml/dependencies.ts';
import { getRecord, recordFields, type ProviderRecord } from '../formats/records/read.ts';
import { CREATED_TABLE_KEY, recordsText, setFlag, setRecord, type RecordsFile } from '../formats/records/edit.ts';
import { moduleName } from '../names.ts';
import { findProvider, type Provider } from '../providers/discover.ts';
import { assertVendoredIntact } from '../vendor/vendored-copy.ts';
import { findInfra } from './find.ts';
import { assertRealFolders, dependencyFor, linkPathOf, linkRecordFor, moduleDirOf, rootRelative, vendorDirOf } from './layout.ts';
import { inspectLink, linksTo } from './link.ts';
import type { Operation } from './operations.ts';
import { execute } from './operations.ts';
import { planLink } from './plan-link.ts';
import { readInfraState } from './state.ts';
import { vendorCopyRemoval } from './vendor-removal.ts';
import { assertRange } from './version.ts';

export interface InstallOptions {
  config: Config;
  /** Provider name (`upcloud`). */
  provider: string;
  /** Infra name (`wuji`). */
  infra: string;
  /** `--ver`: a semver range the provider's version must satisfy. Default: any version. */
  range?: string | undefined;
  /** Language folder to link. Default: config `[language] default`. */
  lang?: Language | undefined;
  /** Replace a symlink pointing elsewhere and a hand-edited `manifest.toml` entry. Default false. */
  force?: boolean;
}

export interface InstallResult {
  provider: string;
  infra: string;
  record: ProviderRecord;
  /** `<infra>/<modules_dir>/<module>`, root-relative. */
  link: string;
  /** What changed; empty when the provider was already installed exactly so. */
  changes: string[];
  /** Cleanup left undone (a vendored copy moved aside that could not be deleted). */
  warnings: string[];
}

/** Refuses a provider whose manifest does not parse or whose version misses `range`. */
export function assertInstallable(provider: Provider, range: string | undefined): void {
  if (provider.problem) throw new ProvisioningError(provider.problem.code, provider.problem.message, provider.problem);
  if (range !== undefined) assertRange(provider, range);
}

/**
 * Links a provider into an infra: the relative symlink, the `manifest.toml` path dependency and
 * the `providers.manifest.yaml` record. Everything is checked before the first write; writes
 * happen under the infra's lock, manifests first and the link last (a crash in between leaves
 * records that `providers:sync` completes), and a failure undoes what was already written.
 * A second run changes nothing. A vendored provider is switched back to the link.
 */
export async function installProvider({ config, provider: providerName, infra: infraName, range, lang = config.language, force = false }: InstallOptions): Promise<InstallResult> {
  const infra = await findInfra(config, infraName);
  const provider = await findProvider(config, providerName, { lang });
  assertInstallable(provider, range);
  const record = linkRecordFor(config, provider);
  const linkPath = linkPathOf(config, infra, provider.name, record.language);
  return withLock(infra.dir, async () => {
    await assertRealFolders(config, infra);
    const state = await readInfraState(config, infra);
    const existing = getRecord(state.records, provider.name);
    const desired = dependencyFor(config, record);
    const expectedNow = existing ? dependencyFor(config, existing) : undefined;
    const current = getDependency(state.manifest, provider.module);
    if (current !== undefined && !dependencyIs(state.manifest, provider.module, desired) && !dependencyIs(state.manifest, provider.module, expectedNow) && !force) {
      throw new ProvisioningError('DRIFT', `Cannot install "${provider.name}" into "${infra.name}": ${state.manifest.file} already has ${provider.module} = ${JSON.stringify(current)}`, {
        hint: 'that entry was not written by providers:install; pass --force to replace it',
        file: state.manifest.file,
      });
    }
    const tomlText = withDependency(state.manifest, provider.module, desired);
    if (!hasDependenciesTable(state.manifest)) setFlag(state.records, CREATED_TABLE_KEY, true);
    setRecord(state.records, provider.name, recordFields(record));
    // Before the records' text: removing the last vendored copy clears the created_vendor_folder flag.
    const after = existing ? await leftovers(config, infra, provider.name, existing, linkPath, force, state.records) : [];
    const operations: Operation[] = [
      { kind: 'write', file: infra.manifestFile, text: tomlText, previous: state.manifest },
      { kind: 'write', file: infra.recordFile, text: recordsText(state.records), previous: state.records },
      ...(await planLink(config, infra, provider.name, record, { force })),
      ...after,
    ];
    const { changes, warnings } = await execute(operations, config.root, infra.dir);
    return { provider: provider.name, infra: infra.name, record, link: rootRelative(config, linkPath), changes, warnings };
  });
}

/** What the previous installation leaves behind: a vendored copy, or a link for another language. */
async function leftovers(config: Config, infra: Awaited<ReturnType<typeof findInfra>>, name: string, existing: ProviderRecord, linkPath: string, force: boolean, records: RecordsFile): Promise<Operation[]> {
  if (existing.mode === 'vendor') {
    // Named from the validated provider name, never from the yaml's text.
    const dir = vendorDirOf(infra, moduleName(name));
    // A vendored copy edited in place is never deleted silently: VENDOR_MODIFIED unless --force.
    if (!force) await assertVendoredIntact({ dir, module: moduleName(name), version: existing.version, packManifest: existing.packManifest, display: rootRelative(config, dir), action: `switch "${name}" in "${infra.name}" back to the link` });
    return [await vendorCopyRemoval(records, infra, moduleName(name))];
  }
  const oldLink = linkPathOf(config, infra, name, existing.language);
  if (oldLink === linkPath) return [];
  const state = await inspectLink(oldLink);
  if (state.kind !== 'symlink' || !linksTo(state, moduleDirOf(config, name, existing.language))) return [];
  return [{ kind: 'unlink', path: oldLink, target: state.target }];
}
