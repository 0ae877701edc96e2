/**
 * What a `--registry` value names: a folder, an http(s) URL serving a folder registry, or an OCI
 * registry namespace (`oci://HOST[:PORT]/NAMESPACE`). Anything else that looks like a scheme
 * (`s3://…`, `oci:/x`, `ftp:`) is refused: it is never taken for a folder name.
 */
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';

export type RegistryRef =
  /** `local`: the tree's own distribution (pack_path, registry_path), also when a default registry is configured. */
  | { kind: 'local'; label: string }
  | { kind: 'dir'; dir: string; label: string }
  | { kind: 'http'; url: string; label: string }
  | { kind: 'oci'; host: string; namespace: string; label: string };

/** `oci://HOST[:PORT]/NAMESPACE`, e.g. `oci://ghcr.io/acme/providers`. */
const OCI = /^oci:\/\/([^/?#@\s]+)\/([^?#\s]+?)\/?$/i;
/** A scheme at the start: letters then `:` (a one-letter one is a Windows drive, `C:\…`). */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;
/** Repository path components, as the OCI distribution spec allows them. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export interface ParseRegistryOptions {
  /** Folder a relative folder path is resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Where the value came from, for messages: `--registry` (default) or `[distribution] registry`. */
  from?: string;
}

export function parseRegistry(value: string, { cwd = process.cwd(), from = '--registry' }: ParseRegistryOptions = {}): RegistryRef {
  const refuse = (reason: string, hint = 'a folder, an http(s):// URL, or oci://HOST[:PORT]/NAMESPACE (e.g. oci://ghcr.io/acme/providers)') =>
    new ProvisioningError('INVALID_OPTION', `Cannot use ${from} ${JSON.stringify(value)}: ${reason}`, { hint });
  if (value.trim() === '') throw refuse('it is empty');
  // A folder named "local" is ./local.
  if (value === 'local') return { kind: 'local', label: 'local' };
  const oci = OCI.exec(value);
  if (oci) {
    const [, host, namespace] = oci as unknown as [string, string, string];
    const bad = namespace.split('/').find((c) => !COMPONENT.test(c));
    if (bad !== undefined) throw refuse(`"${bad}" is not a repository name (lower-case letters, digits, ".", "_", "-")`);
    return { kind: 'oci', host: host.toLowerCase(), namespace, label: `oci://${host.toLowerCase()}/${namespace}` };
  }
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    if (!/^https?:\/\/[^/\s]+/i.test(value)) throw refuse('not a valid URL');
    try {
      return { kind: 'http', url: new URL(value).href, label: new URL(value).href };
    } catch {
      throw refuse('not a valid URL');
    }
  }
  if (scheme === 'oci') throw refuse('an OCI registry is written oci://HOST[:PORT]/NAMESPACE, with a namespace');
  if (scheme !== undefined && scheme !== 'file') throw refuse(`"${scheme}:" is not a registry this tool speaks`);
  const dir = path.resolve(cwd, scheme === 'file' ? value.replace(/^file:(\/\/)?/i, '') : value);
  return { kind: 'dir', dir, label: dir };
}

/** An OCI content digest, the only algorithm this tool writes or accepts: `sha256:<64 hex>`. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * A vendored copy's recorded source, `oci://HOST/NAMESPACE/<module>@sha256:…` (what vendor
 * writes): the registry, the module and the manifest digest. Undefined for any other source.
 */
export function pinnedOciSource(source: string): { registry: RegistryRef & { kind: 'oci' }; module: string; digest: string } | undefined {
  const at = source.lastIndexOf('@');
  const slash = source.lastIndexOf('/', at);
  if (at < 0 || slash < 0 || !SHA256_DIGEST.test(source.slice(at + 1))) return undefined;
  let registry: RegistryRef;
  try {
    registry = parseRegistry(source.slice(0, slash));
  } catch {
    return undefined;
  }
  if (registry.kind !== 'oci') return undefined;
  return { registry, module: source.slice(slash + 1, at), digest: source.slice(at + 1) };
}

/** The tag a version is published under: `+` (build metadata) is not allowed in tags, so `_`. */
export function tagOf(version: string): string {
  return version.replace(/\+/g, '_');
}

/** The version a tag stands for (the inverse of {@link tagOf}). */
export function versionOfTag(tag: string): string {
  return tag.replace(/_/g, '+');
}
