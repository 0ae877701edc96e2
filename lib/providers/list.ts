import type { Config, Language } from '../config/types.ts';
import type { Problem } from '../errors.ts';
import { rootRelative } from '../tree/layout.ts';
import { scanProviders } from '../tree/providers.ts';

export interface ListProvidersOptions {
  config: Config;
  /** Only providers with this language folder. Default: each provider's first of nickel, kcl. */
  lang?: Language | undefined;
}

/** One row of `providers:list`. */
export interface ProviderRow {
  name: string;
  module: string;
  /** `[package] version`; null when the manifest has none. */
  version: string | null;
  language: Language;
  /** The language folder, relative to the root. */
  path: string;
}

export interface ProviderList {
  providers: ProviderRow[];
  /**
   * Providers whose manifest did not parse (listed anyway), folders that are no provider
   * (INVALID_NAME, LINK_CONFLICT) and warnings (NAME_MISMATCH): reported here, never skipped in silence.
   */
  problems: Problem[];
}

/** Every discovered provider, sorted by name. */
export async function listProviders({ config, lang }: ListProvidersOptions): Promise<ProviderList> {
  const { providers: found, problems } = await scanProviders(config, { lang });
  return {
    providers: found.map((p) => ({
      name: p.name,
      module: p.module,
      version: p.version ?? null,
      language: p.language,
      path: rootRelative(config, p.moduleDir),
    })),
    problems: [...found.flatMap((p) => [...(p.problem ? [p.problem] : []), ...p.warnings]), ...problems],
  };
}
