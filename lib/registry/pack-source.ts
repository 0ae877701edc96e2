/**
 * Where packs come from, as vendoring sees it: one interface for every kind of registry. A
 * folder registry and an http(s) one serve metadata files naming every version
 * ({@link MetadataSource}); an OCI registry answers per version (tags, then a manifest and its
 * config): so a source lists versions, then opens the one chosen.
 */
import type { Problem } from '../errors.ts';
import type { PackMetadata, VersionRecord } from '../formats/metadata.ts';
import { plainHttpWarning } from './insecure.ts';

/** One version of a module in a source, opened: its record, and how to get its files. */
export interface SourcedPack {
  /** `package_file`, `integrity`, `size`, `created` (checked by the caller before use). */
  record: VersionRecord;
  /** Where it came from, as the yaml's `source` records it (a path, a URL, `oci://…@sha256:…`). */
  where: string;
  /** Copies the pack to `dest`; more than `maxBytes` is INTEGRITY_MISMATCH. */
  fetchPackage(dest: string, maxBytes: number): Promise<void>;
  /** Copies the `.minisig` to `dest`; false when the pack is not signed. */
  fetchSignature(dest: string): Promise<boolean>;
}

/** How a command names a source again: its `--registry` value, and whether it needs `--plain-http`. */
export interface SourceRef {
  /** `oci://HOST/NAMESPACE`, a URL or a folder. */
  registry: string;
  kind: 'dir' | 'http' | 'oci';
  plainHttp?: boolean;
}

export interface PackSource {
  /** What people see: a folder, a URL, `oci://HOST/NAMESPACE`, or `distribution/` for the local one. */
  label: string;
  /** The registry it is, for the commands hints name; undefined for the local distribution. */
  ref?: SourceRef | undefined;
  /**
   * Modules the source offers (for "did you mean"); undefined when it cannot say (an OCI registry
   * with no catalog, a folder or URL with no index). A failure to list (auth, unreachable, a 500)
   * rejects with its coded error.
   */
  modules(): Promise<string[] | undefined>;
  /** The versions of `module` (as published, not checked), or undefined when the source has no such module. */
  versions(module: string): Promise<string[] | undefined>;
  open(module: string, version: string): Promise<SourcedPack>;
  /** INSECURE_REGISTRY, when packs come from it over plain HTTP and `require_signatures` is off. */
  insecure?(signing: { requireSignatures: boolean }): Problem | undefined;
}

/** `npx gulp pack:list --registry … [--plain-http] [--provider <name>]`: what `source` holds (of `module`'s provider, when given). */
export function packListCommand(source: Pick<PackSource, 'ref'>, module?: string): string {
  const provider = module?.endsWith('_prov') ? module.slice(0, -'_prov'.length) : undefined;
  return [
    'npx gulp pack:list',
    ...(source.ref ? ['--registry', source.ref.registry] : []),
    ...(source.ref?.plainHttp ? ['--plain-http'] : []),
    ...(provider ? ['--provider', provider] : []),
  ].join(' ');
}

/** A source of metadata files (`registry/<module>.json`): a folder or an http(s) registry. */
export interface MetadataSource {
  label: string;
  /** The metadata of `module`, or undefined when the source has no such module. */
  metadata(module: string): Promise<PackMetadata | undefined>;
  /** As {@link PackSource.modules}: undefined when there is no index to list. */
  modules(): Promise<string[] | undefined>;
  /** Where a version's pack is, as recorded in the yaml's `source`. */
  where(record: VersionRecord): string;
  fetchPackage(record: VersionRecord, dest: string, maxBytes: number): Promise<void>;
  fetchSignature(record: VersionRecord, dest: string): Promise<boolean>;
}

/** A metadata source as a {@link PackSource} (`ref`: the registry it is, none for the local distribution). */
export function fromMetadata(source: MetadataSource, ref?: SourceRef): PackSource {
  const cache = new Map<string, Promise<PackMetadata | undefined>>();
  const meta = (module: string) => cache.get(module) ?? cache.set(module, source.metadata(module)).get(module)!;
  return {
    label: source.label,
    ref,
    modules: () => source.modules(),
    insecure: (signing) => plainHttpWarning(source.label, signing),
    versions: async (module) => {
      const m = await meta(module);
      return m ? Object.keys(m.versions) : undefined;
    },
    open: async (module, version) => {
      const record = (await meta(module))?.versions[version] as VersionRecord;
      return {
        record,
        where: record && typeof record.package_file === 'string' ? source.where(record) : source.label,
        fetchPackage: (dest, maxBytes) => source.fetchPackage(record, dest, maxBytes),
        fetchSignature: (dest) => source.fetchSignature(record, dest),
      };
    },
  };
}
