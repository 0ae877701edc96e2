import type { Config, Language } from '../config/types.ts';
import { type Problem, ProvisioningError } from '../errors.ts';
import type { ProviderRecord } from '../formats/records/index.ts';
import { moduleName } from '../names.ts';
import { linkPathOf, moduleDirOf, rootRelative, vendorDirOf } from '../tree/layout.ts';
import { findInfra } from '../tree/infras.ts';
import { findProvider, type Provider } from '../tree/providers.ts';
import { editInfra, type InfraEdit } from './edit/open.ts';
import { assertRecordOwned, claimDependency, dependencyFor, linkRecordFor, preexistingLine, putRecord, releaseVendoredCopy } from './edit/ownership.ts';
import { planLink } from './edit/plan-link.ts';
import { inspectLink, linksTo } from './link.ts';
import { assertVendoredIntact } from './vendored-copy.ts';
import { assertSatisfies } from './version.ts';

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
  warnings: Problem[];
}

/** Refuses a provider whose manifest does not parse or whose version misses `range`. */
export function assertInstallable(provider: Provider, range: string | undefined): void {
  if (provider.problem) throw new ProvisioningError(provider.problem.code, provider.problem.message, provider.problem);
  if (range !== undefined) assertSatisfies(provider, range);
}

/**
 * Links a provider into an infra: the relative symlink, the `manifest.toml` path dependency and
 * the `providers.manifest.yaml` record, as one infra edit (lib/infra/edit/): everything is
 * checked before the first write, manifests are written first and the link last (a crash in
 * between leaves records that `providers:sync` completes), and a failure undoes what was
 * already written. A second run changes nothing. A vendored provider is switched back to the link.
 */
export async function installProvider({ config, provider: providerName, infra: infraName, range, lang = config.language, force = false }: InstallOptions): Promise<InstallResult> {
  const infra = await findInfra(config, infraName);
  const provider = await findProvider(config, providerName, { lang });
  assertInstallable(provider, range);
  const record = linkRecordFor(config, provider);
  const action = `install "${provider.name}" into "${infra.name}"`;
  const { changes, warnings } = await editInfra(config, infra, async (edit) => {
    const existing = assertRecordOwned(edit, provider.name, action, force)?.record;
    const line = claimDependency(edit, provider.module, dependencyFor(config, record), {
      action,
      acceptable: existing ? [dependencyFor(config, existing)] : [],
      force,
    });
    // A line already there before the first install is the user's: remove leaves it.
    if (existing?.preexistingDependency) record.preexistingDependency = existing.preexistingDependency;
    else if (!existing && line === 'kept') record.preexistingDependency = preexistingLine(edit, provider.module);
    putRecord(edit, provider.name, record);
    edit.after.push(...(await planLink(config, edit.infra, provider.name, record, { force })));
    if (existing) await leaveBehind(edit, provider.name, existing, record, force);
  });
  return { provider: provider.name, infra: infra.name, record, link: rootRelative(config, linkPathOf(config, infra, provider.name, record.language)), changes, warnings };
}

/** What the previous installation leaves behind: a vendored copy, or a link for another language. */
async function leaveBehind(edit: InfraEdit, name: string, existing: ProviderRecord, record: ProviderRecord, force: boolean): Promise<void> {
  const { config, infra } = edit;
  if (existing.mode === 'vendor') {
    // Named from the validated provider name, never from the yaml's text.
    const dir = vendorDirOf(infra, moduleName(name));
    // A vendored copy edited in place is never deleted silently: VENDOR_MODIFIED unless --force.
    if (!force) {
      await assertVendoredIntact({
        dir,
        module: moduleName(name),
        version: existing.version,
        packManifest: existing.packManifest,
        display: rootRelative(config, dir),
        action: `switch "${name}" in "${infra.name}" back to the link`,
      });
    }
    await releaseVendoredCopy(edit, moduleName(name));
    return;
  }
  const oldLink = linkPathOf(config, infra, name, existing.language);
  if (oldLink === linkPathOf(config, infra, name, record.language)) return;
  const state = await inspectLink(oldLink);
  if (state.kind === 'symlink' && linksTo(state, moduleDirOf(config, name, existing.language))) edit.after.push({ kind: 'unlink', path: oldLink, target: state.target });
}
