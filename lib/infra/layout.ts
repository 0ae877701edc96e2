import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';
import { isInside, isInsideReal } from '../fs/inside.ts';
import type { ProviderRecord } from '../formats/records/read.ts';
import { moduleName } from '../names.ts';
import { LANGUAGES, type Provider } from '../providers/discover.ts';
import type { Infra } from './find.ts';

/**
 * Where install puts things, computed in one place so install, remove, sync and validate agree:
 * the link, its target, the `manifest.toml` entry and the yaml record of a provider in an infra.
 */

/** `<infra>/<modules_dir>` for a language (`.nickel-modules`, `.kcl-modules`). */
export function modulesDirOf(config: Config, infra: Infra, language: Language): string {
  const dir = path.resolve(infra.dir, config[language].modulesDir);
  if (!isInside(infra.dir, dir) || dir === path.resolve(infra.dir)) {
    throw new ProvisioningError('CONFIG_INVALID', `Cannot use ${language}.modules_dir "${config[language].modulesDir}": it must be a folder inside the infra`);
  }
  return dir;
}

/** `<infra>/<modules_dir>/<name>_prov`. */
export function linkPathOf(config: Config, infra: Infra, name: string, language: Language): string {
  return path.join(modulesDirOf(config, infra, language), moduleName(name));
}

/** `extensions/providers/<name>/<nickel|kcl>`: what the link leads to. */
export function moduleDirOf(config: Config, name: string, language: Language): string {
  return path.join(config.paths.providers, name, LANGUAGES[language].folder);
}

/** `<infra>/vendor/<name>_prov`: where vendor mode keeps its copy. */
export function vendorDirOf(infra: Infra, module: string): string {
  return path.join(infra.dir, 'vendor', module);
}

/**
 * Refuses (`LINK_CONFLICT`) an infra whose `vendor/` or modules folder (or a folder on the way to
 * it) is a symlink or not a folder: install, remove and vendor rename and delete inside them, and
 * through a symlink that would happen wherever it leads (a shared disk, a teammate's home).
 * Absent folders are fine: they are made as real ones.
 */
export async function assertRealFolders(config: Config, infra: Infra): Promise<void> {
  const folders = [path.join(infra.dir, 'vendor'), ...(['nickel', 'kcl'] as const).map((language) => modulesDirOf(config, infra, language))];
  for (const folder of folders) {
    const parts = path.relative(infra.dir, folder).split(path.sep);
    for (let i = 1; i <= parts.length; i++) {
      const dir = path.join(infra.dir, ...parts.slice(0, i));
      const st = await lstat(dir).catch(() => undefined);
      if (!st) break;
      if (st.isSymbolicLink() || !st.isDirectory()) {
        const shown = rootRelative(config, dir);
        throw new ProvisioningError('LINK_CONFLICT', `Cannot change "${shown}": it is a ${st.isSymbolicLink() ? 'symlink' : 'file'}, not a folder inside the infra`, {
          file: shown,
          hint: 'links and vendored copies are only made, renamed and deleted inside real folders of the infra; make it a real folder',
        });
      }
    }
    if (!(await isInsideReal(infra.dir, folder))) {
      throw new ProvisioningError('LINK_CONFLICT', `Cannot change "${rootRelative(config, folder)}": it resolves outside the infra`, { file: rootRelative(config, folder) });
    }
  }
}

/**
 * The link's target, relative to the link's own folder (`../../../../extensions/providers/…`):
 * a relative link keeps working when the tree is moved, cloned elsewhere or mounted in a
 * container, where an absolute one would point at the old location.
 */
export function linkTargetOf(linkPath: string, moduleDir: string): string {
  return path.relative(path.dirname(linkPath), moduleDir);
}

/** A path relative to the root with `/` separators, for records and output. */
export function rootRelative(config: Config, abs: string): string {
  return path.relative(config.root, abs).split(path.sep).join('/') || '.';
}

/** The `[dependencies]` entry a record implies. */
export function dependencyFor(config: Config, record: ProviderRecord): Record<string, string> {
  if (record.mode === 'vendor') {
    const entry: Record<string, string> = { path: `./vendor/${record.module}` };
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

/** True when two records describe the same installation (the version may have moved on). */
export function sameInstall(a: ProviderRecord, b: ProviderRecord): boolean {
  return a.module === b.module && a.mode === b.mode && a.source === b.source && a.language === b.language;
}
