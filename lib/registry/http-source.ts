/**
 * An http(s) registry: the directory layout served by any static file server. Uses the
 * runtime's global `fetch` (Node >= 20 and Deno alike); nothing is cached.
 */
import { open } from 'node:fs/promises';
import { ProvisioningError } from '../errors.ts';
import type { PackMetadata, VersionRecord } from '../formats/metadata.ts';
import { assertRegistryPath, INDEX_FILE, METADATA_DIR, SIGNATURE_SUFFIX } from './layout.ts';
import { assertSignedName } from './signed-name.ts';
import type { MetadataSource } from './pack-source.ts';

/** Metadata and index files are small; anything bigger is not one. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Redirects followed per request, all within the registry's own origin. */
const MAX_REDIRECTS = 5;

/**
 * GET with redirects followed by hand, and only within the URL's own origin (scheme, host and
 * port): a registry must not hand us to another host (a mirror we never named, an internal
 * address, http after https). Another origin is REGISTRY_ERROR naming the target.
 */
async function get(start: URL): Promise<Response | undefined> {
  let url = start;
  for (let hops = 0;; hops++) {
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'manual' });
    } catch (error) {
      throw new ProvisioningError('REGISTRY_ERROR', `Cannot fetch "${url}": ${(error as Error).message}`, {
        hint: 'check the --registry URL and that the server is up',
        cause: error,
      });
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel();
      const target = new URL(response.headers.get('location')!, url);
      if (target.origin !== start.origin) {
        throw new ProvisioningError('REGISTRY_ERROR', `Cannot fetch "${start}": the registry redirects to another origin, "${target}"`, {
          hint: "only redirects within the registry's own scheme, host and port are followed; pass the URL it redirects to as --registry if you trust it",
        });
      }
      if (hops >= MAX_REDIRECTS) throw new ProvisioningError('REGISTRY_ERROR', `Cannot fetch "${start}": more than ${MAX_REDIRECTS} redirects`);
      url = target;
      continue;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ProvisioningError('REGISTRY_ERROR', `Cannot fetch "${url}": HTTP ${response.status} ${response.statusText}`);
    }
    return response;
  }
}

/** Streams a response body into `write`, refusing more than `maxBytes`. */
async function drain(response: Response, url: URL, maxBytes: number, write: (chunk: Uint8Array) => Promise<unknown>): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust "${url}": it sends more than the ${maxBytes} bytes expected`);
    }
    await write(value);
  }
}

async function getJson(url: URL): Promise<unknown> {
  const response = await get(url);
  if (response === undefined) return undefined;
  const parts: Uint8Array[] = [];
  await drain(response, url, MAX_JSON_BYTES, async (c) => parts.push(c));
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch (error) {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot read "${url}": not JSON (${(error as Error).message})`, { cause: error });
  }
}

async function download(url: URL, dest: string, maxBytes: number): Promise<boolean> {
  const response = await get(url);
  if (response === undefined) return false;
  const out = await open(dest, 'wx', 0o644);
  try {
    await drain(response, url, maxBytes, (chunk) => out.write(chunk));
  } finally {
    await out.close();
  }
  return true;
}

export function httpSource(registry: string): MetadataSource {
  let base: URL;
  try {
    base = new URL(registry.endsWith('/') ? registry : `${registry}/`);
  } catch {
    throw new ProvisioningError('INVALID_OPTION', `Cannot use --registry ${JSON.stringify(registry)}: not a valid URL`);
  }
  const at = (rel: string) => new URL(rel, base);
  const packUrl = (record: VersionRecord) => at(assertRegistryPath(record.package_file, base.href));
  return {
    label: base.href,
    async metadata(module) {
      const data = await getJson(at(`${METADATA_DIR}/${encodeURIComponent(module)}.json`));
      if (data === undefined) return undefined;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new ProvisioningError('REGISTRY_ERROR', `Cannot read metadata of ${module} from ${base.href}: not a JSON object`);
      }
      const meta = data as PackMetadata;
      if (typeof meta.versions !== 'object' || meta.versions === null) meta.versions = {};
      return meta;
    },
    async modules() {
      // No index.json (404) lists nothing; a server failing to send it is that failure.
      const index = (await getJson(at(INDEX_FILE))) as { modules?: Record<string, unknown> } | undefined;
      return index === undefined ? undefined : Object.keys(index.modules ?? {}).sort();
    },
    where: (record) => packUrl(record).href,
    async fetchPackage(record, dest, maxBytes) {
      const url = packUrl(record);
      if (!(await download(url, dest, maxBytes))) throw new ProvisioningError('PACK_NOT_FOUND', `Cannot fetch "${url}": the registry lists it but does not serve it (HTTP 404)`);
    },
    async fetchSignature(record, dest) {
      const url = new URL(packUrl(record).href + SIGNATURE_SUFFIX);
      if (!(await download(url, dest, 64 * 1024))) return false;
      await assertSignedName(dest, record.package_file, url.href);
      return true;
    },
  };
}
