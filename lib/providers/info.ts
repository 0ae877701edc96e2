import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';
import { listInfras } from '../tree/infras.ts';
import { rootRelative } from '../tree/layout.ts';
import { getRecord, type InstallMode } from '../formats/records/index.ts';
import { readInfraRecords } from '../infra/state.ts';
import { findProvider } from '../tree/providers.ts';

export interface ProviderInfoOptions {
  config: Config;
  /** Provider name. */
  provider: string;
  /** Which language folder to describe. Default: the provider's first of nickel, kcl. */
  lang?: Language | undefined;
}

export interface ProviderInfo {
  name: string;
  module: string;
  language: Language;
  version: string | null;
  description: string | null;
  /** The language folder, relative to the root. */
  path: string;
  /** The manifest's `[package]` fields and `[dependencies]`, as parsed. */
  manifest: Record<string, unknown>;
  /** Every file of the provider folder, relative to it, sorted (`nickel/manifest.toml`, `README.md`…). */
  files: string[];
  /** Infras whose yaml records it in this language. */
  installedIn: { infra: string; mode: InstallMode; version: string | null }[];
}

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    if (entry.name === '.git' || entry.name === 'node_modules') continue;
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, child)));
    else out.push(child);
  }
  return out.sort();
}

/** One provider in detail; `PROVIDER_NOT_FOUND` with "did you mean" when absent. */
export async function providerInfo({ config, provider: name, lang }: ProviderInfoOptions): Promise<ProviderInfo> {
  const provider = await findProvider(config, name, { lang });
  if (provider.problem) throw new ProvisioningError(provider.problem.code, provider.problem.message, provider.problem);
  const installedIn: ProviderInfo['installedIn'] = [];
  for (const infra of await listInfras(config)) {
    // An infra whose yaml does not parse is validate's to report; here it just is not counted.
    const record = await readInfraRecords(config, infra).then((r) => getRecord(r, provider.name), () => undefined);
    // The install of the language described: a kcl link is not the nickel provider's.
    if (record && record.language === provider.language) installedIn.push({ infra: infra.name, mode: record.mode, version: record.version });
  }
  const { package: pkg, dependencies } = provider.manifest as { package?: Record<string, unknown>; dependencies?: Record<string, unknown> };
  return {
    name: provider.name,
    module: provider.module,
    language: provider.language,
    version: provider.version ?? null,
    description: provider.description ?? null,
    path: rootRelative(config, provider.moduleDir),
    manifest: { ...(pkg ?? {}), ...(dependencies ? { dependencies } : {}) },
    files: await filesUnder(provider.dir),
    installedIn,
  };
}
