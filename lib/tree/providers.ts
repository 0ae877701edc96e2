import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, Language } from '../config/types.ts';
import { suggestion } from '../did-you-mean.ts';
import { isProvisioningError, type Problem, ProvisioningError, toProblem } from '../errors.ts';
import { readIfExistsSync } from '../fs/read.ts';
import { parseToml } from '../formats/toml/parse.ts';
import { assertName, moduleName } from '../names.ts';
import { scanFolders, symlinkedFolder } from './folders.ts';

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
  /** What is odd but not wrong, e.g. NAME_MISMATCH (the manifest names another module than the folder). */
  warnings: Problem[];
}

export interface DiscoverOptions {
  /** Only this language; default: each provider's first of nickel, kcl. */
  lang?: Language | undefined;
}

async function readProvider(providersDir: string, name: string, language: Language, text?: string): Promise<Provider> {
  const dir = path.join(providersDir, name);
  const moduleDir = path.join(dir, LANGUAGES[language].folder);
  const manifestFile = path.join(moduleDir, LANGUAGES[language].manifest);
  const provider: Provider = { name, module: moduleName(name), language, dir, moduleDir, manifestFile, manifest: {}, warnings: [] };
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
  // The folder names the module (`dup/` packs as `dup_prov`); a manifest saying otherwise is said so.
  if (typeof pkg?.name === 'string' && pkg.name !== provider.module) {
    provider.warnings.push({
      code: 'NAME_MISMATCH',
      message: `Provider folder "${name}" is module ${provider.module}, but its ${LANGUAGES[language].manifest} names "${pkg.name}"`,
      file: manifestFile,
      hint: `the folder's name wins (it packs as ${provider.module}); rename the folder or set name = "${provider.module}"`,
    });
  }
  return provider;
}

/** `dir` is a symlink (lstat, no following); false when absent. */
function isSymlink(dir: string): boolean {
  return lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink() === true;
}

/**
 * The provider's languages that have a manifest, in `lang`'s order (else nickel, kcl); a
 * language folder that is a symlink is LINK_CONFLICT (see folders.ts).
 */
function languagesOf(dir: string, lang: Language | undefined): Language[] {
  const order: Language[] = lang ? [lang] : ['nickel', 'kcl'];
  return order.filter((l) => {
    const folder = path.join(dir, LANGUAGES[l].folder);
    if (isSymlink(folder)) throw symlinkedFolder('language', folder);
    return existsSync(path.join(folder, LANGUAGES[l].manifest));
  });
}

export interface ScannedProviders {
  /** Every provider with a language folder and manifest, sorted by name. */
  providers: Provider[];
  /** Folders that are not providers (INVALID_NAME, LINK_CONFLICT); each provider's own are on it. */
  problems: Problem[];
}

/** The provider tree: every provider, and every folder that is not one, reported (see folders.ts). */
export async function scanProviders(config: Config, { lang }: DiscoverOptions = {}): Promise<ScannedProviders> {
  const shown = (p: string) => path.relative(config.root, p).split(path.sep).join('/') || '.';
  const { names, problems } = await scanFolders(config.paths.providers, 'provider', shown);
  const order: Language[] = lang ? [lang] : ['nickel', 'kcl'];
  const providers: Provider[] = [];
  for (const name of names) {
    for (const language of order) {
      const { folder, manifest } = LANGUAGES[language];
      const moduleDir = `${config.paths.providers}${path.sep}${name}${path.sep}${folder}`;
      const st = lstatSync(moduleDir, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isSymbolicLink()) {
        problems.push(symlinkedFolder('language', moduleDir, shown(moduleDir)).toJSON());
        break;
      }
      // The first language whose manifest reads: the same answer as languagesOf.
      const text = st.isDirectory() ? readIfExistsSync(`${moduleDir}${path.sep}${manifest}`, 'utf8') : undefined;
      if (text === undefined) continue;
      const provider = await readProvider(config.paths.providers, name, language, text);
      providers.push(provider);
      break;
    }
  }
  return { providers, problems };
}

/** Every provider under `paths.providers` with a language folder and manifest, sorted by name. */
export async function discoverProviders(config: Config, options: DiscoverOptions = {}): Promise<Provider[]> {
  return (await scanProviders(config, options)).providers;
}

/** One provider by name; `PROVIDER_NOT_FOUND` with "did you mean" when absent, `LINK_CONFLICT` when it is a symlink. */
export async function findProvider(config: Config, name: unknown, { lang }: DiscoverOptions = {}): Promise<Provider> {
  const valid = assertName('provider', name);
  const dir = path.join(config.paths.providers, valid);
  if (isSymlink(dir)) throw symlinkedFolder('provider', dir);
  const [language] = languagesOf(dir, lang);
  if (!language) {
    const [other] = lang ? languagesOf(dir, undefined) : [];
    if (other) {
      throw new ProvisioningError(
        'PROVIDER_NOT_FOUND',
        `Cannot find provider "${valid}" with a ${LANGUAGES[lang!].folder}/${LANGUAGES[lang!].manifest}: it has only ${LANGUAGES[other].folder}/`,
        {
          hint: `pass --lang ${other}`,
          file: dir,
        },
      );
    }
    const known = (await discoverProviders(config, { lang })).map((p) => p.name);
    const where = lang ? ` with a ${LANGUAGES[lang].folder}/${LANGUAGES[lang].manifest}` : '';
    throw new ProvisioningError('PROVIDER_NOT_FOUND', `Cannot find provider "${valid}"${where} in ${config.paths.providers}`, {
      hint: suggestion(valid, known, 'provider'),
    });
  }
  return readProvider(config.paths.providers, valid, language);
}
