/**
 * What to pack: a provider or the core module, with its resolved, validated version.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { type Problem, ProvisioningError } from '../errors.ts';
import { assertVersion } from '../versions.ts';
import { readToml } from '../formats/toml/parse.ts';
import { LANGUAGES, type Provider } from '../tree/providers.ts';

/** The core's tar stem: `provisioning_<version>.tar`, entries under `provisioning/`. */
export const CORE_STEM = 'provisioning';

export interface PackTarget {
  /** Package name in the metadata and PACK.json: `aws_prov`, `provisioning_core`. */
  name: string;
  /** Tar name stem and top folder: `aws_prov`, `provisioning`. */
  stem: string;
  version: string;
  language: Language;
  /** The folder packed. */
  dir: string;
  /** `[package] exports`, when the manifest sets it. */
  exports?: string[] | undefined;
  /** What packing it should say, e.g. the provider's NAME_MISMATCH. Default none. */
  warnings?: Problem[] | undefined;
}

export interface ProviderTargetOptions {
  /** `--ver`: overrides the manifest's version. Default: `[package] version`. */
  version?: string | undefined;
}

export function providerTarget(provider: Provider, { version }: ProviderTargetOptions = {}): PackTarget {
  if (provider.problem) {
    const p = provider.problem;
    throw new ProvisioningError(p.code, p.message, { ...(p.file ? { file: p.file } : {}), ...(p.line ? { line: p.line } : {}), ...(p.column ? { column: p.column } : {}) });
  }
  const chosen = version ?? provider.version;
  if (chosen === undefined) {
    throw new ProvisioningError('VERSION_MISSING', `Cannot pack provider "${provider.name}": its manifest has no [package] version`, {
      file: provider.manifestFile,
      hint: 'add version = "0.1.0" under [package], or pass --ver',
    });
  }
  return {
    name: provider.module,
    stem: provider.module,
    version: assertVersion(chosen, version !== undefined ? '--ver' : provider.manifestFile),
    language: provider.language,
    dir: provider.moduleDir,
    exports: provider.exports,
    warnings: provider.warnings,
  };
}

/**
 * The core module (`[nickel] core_module`, or `[kcl]`'s for a kcl tree). Version: `--ver`, else
 * its manifest's `[package] version`, else config `core_version`.
 */
export async function coreTarget(config: Config, { version }: ProviderTargetOptions = {}): Promise<PackTarget> {
  const language = config.language;
  const lang = config[language];
  const dir = lang.coreModule;
  if (!existsSync(dir)) {
    throw new ProvisioningError('MODULE_NOT_FOUND', `Cannot pack the core module: "${dir}" does not exist`, {
      hint: `set [${language}] core_module in config/config.toml`,
    });
  }
  const manifestFile = path.join(dir, LANGUAGES[language].manifest);
  const manifest = existsSync(manifestFile) ? await readToml(manifestFile) : {};
  const pkg = manifest.package as Record<string, unknown> | undefined;
  const own = typeof pkg?.version === 'string' ? pkg.version : undefined;
  const [chosen, from] = version !== undefined ? [version, '--ver'] : own !== undefined ? [own, manifestFile] : [lang.coreVersion, `${language}.core_version`];
  return {
    name: lang.corePackageName,
    stem: CORE_STEM,
    version: assertVersion(chosen, from),
    language,
    dir,
    // The core is a schema library (contracts without values do not export): only what its
    // manifest lists is exported, unlike a provider's default of every top-level file.
    exports: Array.isArray(pkg?.exports) ? pkg.exports.map(String) : [],
  };
}
