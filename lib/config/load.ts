import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { parseToml } from '../formats/toml/parse.ts';
import { DEFAULTS_FILE } from './defaults.ts';
import { interpolate } from './interpolate.ts';
import type { Config, Language } from './types.ts';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** Deep merge, key by key: tables merge, everything else (arrays included) is replaced. */
export function mergeConfig(base: Table, override: Table): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = isTable(value) && isTable(out[key]) ? mergeConfig(out[key] as Table, value) : value;
  }
  return out;
}

export interface LoadConfigOptions {
  /** The provisioning root; `{{paths.base}}` becomes this absolute path. */
  root: string;
  /** The defaults file. Default: the toolkit's `config/config.defaults.toml`. */
  defaultsFile?: string;
}

/**
 * The effective configuration: the toolkit's defaults, then the root's `config/config.toml`
 * key by key, with `paths.base` set to the root and every `{{section.key}}` interpolated.
 * Relative paths in path-like keys are resolved against the root.
 */
export async function loadConfig({ root, defaultsFile = DEFAULTS_FILE }: LoadConfigOptions): Promise<Config> {
  const absRoot = path.resolve(root);
  let merged = parseToml(await readFile(defaultsFile, 'utf8'), defaultsFile);
  const userFile = path.join(absRoot, 'config', 'config.toml');
  if (existsSync(userFile)) merged = mergeConfig(merged, parseToml(await readFile(userFile, 'utf8'), userFile));
  merged = mergeConfig(merged, { paths: { base: absRoot } });
  const raw = interpolate(merged, existsSync(userFile) ? userFile : defaultsFile);
  return toConfig(raw, absRoot, userFile);
}

function str(raw: Table, section: string, key: string, file: string): string {
  const value = (raw[section] as Table | undefined)?.[key];
  if (typeof value !== 'string') {
    throw new ProvisioningError('CONFIG_INVALID', `Cannot read config "${section}.${key}": expected a string`, { file });
  }
  return value;
}

function table(raw: Table, dotted: string): Table {
  let node: unknown = raw;
  for (const part of dotted.split('.')) node = isTable(node) ? node[part] : undefined;
  return isTable(node) ? node : {};
}

function toConfig(raw: Table, root: string, file: string): Config {
  const abs = (p: string) => path.resolve(root, p);
  const lang = (name: Language) => {
    const t = table(raw, name);
    return {
      coreModule: abs(String(t.core_module ?? `${root}/${name}`)),
      coreVersion: String(t.core_version ?? '0.0.1'),
      corePackageName: String(t.core_package_name ?? 'provisioning_core'),
      useModuleLoader: t.use_module_loader !== false,
      modulesDir: String(t.modules_dir ?? (name === 'nickel' ? '.nickel-modules' : '.kcl-modules')),
    };
  };
  const nickel = table(raw, 'nickel');
  const exportMode = String(nickel.export ?? 'auto');
  if (!['auto', 'required', 'off'].includes(exportMode)) {
    throw new ProvisioningError('CONFIG_INVALID', `Cannot use nickel.export = "${exportMode}": expected auto, required or off`, { file });
  }
  const language = String(table(raw, 'language').default ?? 'nickel');
  if (language !== 'nickel' && language !== 'kcl') {
    throw new ProvisioningError('CONFIG_INVALID', `Cannot use language.default = "${language}": expected nickel or kcl`, { file });
  }
  const signing = table(raw, 'distribution.signing');
  const metadata = table(raw, 'distribution.metadata');
  return {
    root,
    raw,
    language,
    paths: {
      providers: abs(str(raw, 'paths', 'providers', file)),
      infra: abs(str(raw, 'paths', 'infra', file)),
    },
    distribution: {
      packPath: abs(str(raw, 'distribution', 'pack_path', file)),
      registryPath: abs(str(raw, 'distribution', 'registry_path', file)),
      cachePath: abs(str(raw, 'distribution', 'cache_path', file)),
      registryType: String(table(raw, 'distribution').registry_type ?? 'local'),
      registry: typeof table(raw, 'distribution').registry === 'string' && table(raw, 'distribution').registry !== '' ? String(table(raw, 'distribution').registry) : undefined,
      oci: {
        plainHttp: table(raw, 'distribution.oci').plain_http === true,
        caFile: typeof table(raw, 'distribution.oci').ca_file === 'string' && table(raw, 'distribution.oci').ca_file !== ''
          ? abs(String(table(raw, 'distribution.oci').ca_file))
          : undefined,
      },
      metadata: {
        maintainer: String(metadata.maintainer ?? ''),
        repository: String(metadata.repository ?? ''),
        license: String(metadata.license ?? ''),
        homepage: String(metadata.homepage ?? ''),
      },
      signing: {
        secretKey: typeof signing.secret_key === 'string' && signing.secret_key !== '' ? abs(signing.secret_key) : undefined,
        publicKeys: (Array.isArray(signing.public_keys) ? signing.public_keys : []).map((k) => abs(String(k))),
        requireSignatures: signing.require_signatures === true,
      },
    },
    nickel: { ...lang('nickel'), bin: String(nickel.bin ?? 'nickel'), export: exportMode as 'auto' | 'required' | 'off' },
    kcl: lang('kcl'),
  };
}
