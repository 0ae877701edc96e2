import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';
import { isInside } from '../fs/inside.ts';
import { moduleName } from '../names.ts';
import { LANGUAGES } from './providers.ts';
import type { Infra } from './infras.ts';

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
