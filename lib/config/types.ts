export type Language = 'nickel' | 'kcl';

export interface LanguageConfig {
  /** Absolute path of the core schemas module. */
  coreModule: string;
  coreVersion: string;
  corePackageName: string;
  useModuleLoader: boolean;
  /** Folder inside an infra holding the provider links, e.g. `.nickel-modules`. */
  modulesDir: string;
}

/** The effective, interpolated configuration; every path is absolute. */
export interface Config {
  /** The provisioning root. */
  root: string;
  /** The merged, interpolated TOML, for keys this interface does not name. */
  raw: Record<string, unknown>;
  /** Default language (`[language] default`); `--lang` overrides it. */
  language: Language;
  paths: { providers: string; infra: string };
  distribution: {
    packPath: string;
    registryPath: string;
    cachePath: string;
    registryType: string;
    /** `[distribution] registry`: the default `--registry`; undefined when empty. */
    registry: string | undefined;
    /** `[distribution.oci]`. */
    oci: { plainHttp: boolean; caFile: string | undefined };
    metadata: { maintainer: string; repository: string; license: string; homepage: string };
    signing: { secretKey: string | undefined; publicKeys: string[]; requireSignatures: boolean };
  };
  nickel: LanguageConfig & { bin: string; export: 'auto' | 'required' | 'off' };
  kcl: LanguageConfig;
}
