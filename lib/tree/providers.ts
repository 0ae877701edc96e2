import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { suggestion } from '../did-you-mean.ts';
import { isProvisioningError, ProvisioningError, toProblem, type Problem } from '../errors.ts';
import { readIfExistsSync } from '../fs/read.ts';
import { parseToml } from '../formats/toml/parse.ts';
import { assertName, moduleName, NAME_PATTERN } from '../names.ts';

/** Where each language keeps a provider's module and its manifest. */
export const LANGUAGES: Record<Language, { folder: string; manifest: string }> = {
  nickel: { folder: 'nickel', manifest: 'manifest.toml' },
  kcl: { folder: 'kcl', manifest: 'kcl.mod' },
};

export interface Provider {
  name: string;
  /** `<name>_prov`. */
  module: string;
  language: Language;
  /** `extensions/providers/<name>`. */
  dir: string;
  /** The language folder, what an infra links to and a pack holds. */
  moduleDir: string;
  manifestFile: string;
  /** `[package] version`, when the manifest has one. */
  version?: string;
  description?: string;
  /** `[package] exports`, when set. */
  exports?: string[];
  /** The parsed manifest. */
  manifest: Record<string, unknown>;
  /** Set when the manifest does not parse; the other fields are then partial. */
  problem?: Problem;
}

export interface DiscoverOptions {
  /** Only this language; default: each provider's first of nickel, kcl. */
  lang?: Language | undefined;
}

async function readProvider(providersDir: string, name: string, language: Language, text?: string): Promise<Provider> {
  const dir = path.join(providersDir, name);
  const moduleDir = path.join(dir, LANGUAGES[language].folder);
  const manifestFile = path.join(moduleDir, LANGUAGES[language].manifest);
  const provider: Provider = { name, module: moduleName(name), language, dir, moduleDir, manifestFile, manifest: {} };
  try {
    // Read synchronously: a manifest is a few hundred bytes, and with 200 providers an async
    // read (a thread-pool round trip each) cost several times the read itself (BENCHMARKS.md).
    provider.manifest = parseToml(text ?? readFileSync(manifestFile, 'utf8'), manifestFile);
  } catch (error) {
    if (!isProvisioningError(error)) throw error;
    provider.problem = toProblem(error);
    return provider;
  }
  const pkg = provider.manifest.package as Record<string, unknown> | undefined;
  if (typeof pkg?.version === 'string') provider.version = pkg.version;
  if (typeof pkg?.description === 'string') provider.description = pkg.description;
  if (Array.isArray(pkg?.exports)) provider.exports = pkg.exports.map(String);
  return provider;
}

function languagesOf(dir: string, lang: Language | undefined): Language[] {
  const order: Language[] = lang ? [lang] : ['nickel', 'kcl'];
  return order.filter((l) => existsSync(path.join(dir, LANGUAGES[l].folder, LANGUAGES[l].manifest)));
}

/** Every provider under `paths.providers` with a language folder and manifest, sorted by name. */
export async function discoverProviders(config: Config, { lang }: DiscoverOptions = {}): Promise<Provider[]> {
  const entries = await readdir(config.paths.providers, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory() && NAME_PATTERN.test(e.name)).map((e) => e.name).sort();
  const order: Language[] = lang ? [lang] : ['nickel', 'kcl'];
  const found: Provider[] = [];
  for (const name of names) {
    // The first language whose manifest reads: the same answer as languagesOf, one syscall fewer each.
    for (const language of order) {
      const { folder, manifest } = LANGUAGES[language];
      const text = readIfExistsSync(`${config.paths.providers}${path.sep}${name}${path.sep}${folder}${path.sep}${manifest}`, 'utf8');
      if (text === undefined) continue;
      found.push(await readProvider(config.paths.providers, name, language, text));
      break;
    }
  }
  return found;
}

/** One provider by name; `PROVIDER_NOT_FOUND` with "did you mean" when absent. */
export async function findProvider(config: Config, name: unknown, { lang }: DiscoverOptions = {}): Promise<Provider> {
  const valid = assertName('provider', name);
  const dir = path.join(config.paths.providers, valid);
  const [language] = languagesOf(dir, lang);
  if (!language) {
    const [other] = lang ? languagesOf(dir, undefined) : [];
    if (other) {
      throw new ProvisioningError('PROVIDER_NOT_FOUND', `Cannot find provider "${valid}" with a ${LANGUAGES[lang!].folder}/${LANGUAGES[lang!].manifest}: it has only ${LANGUAGES[other].folder}/`, {
        hint: `pass --lang ${other}`,
        file: dir,
      });
    }
    const known = (await discoverProviders(config, { lang })).map((p) => p.name);
    const where = lang ? ` with a ${LANGUAGES[lang].folder}/${LANGUAGES[lang].manifest}` : '';
    throw new ProvisioningError('PROVIDER_NOT_FOUND', `Cannot find provider "${valid}"${where} in ${config.paths.providers}`, {
      hint: suggestion(valid, known, 'provider'),
    });
  }
  return readProvider(config.paths.providers, valid, language);
}
