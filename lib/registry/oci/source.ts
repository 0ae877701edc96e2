/**
 * An OCI registry namespace as a pack source: module `<m>` is the repository `NAMESPACE/<m>`, its
 * versions are its tags (`_` back to `+`), a version is its manifest. Every blob is checked
 * against its descriptor before use (the client does it), the config against the tar layer, and
 * what the yaml records is `oci://HOST/NAMESPACE/<m>@sha256:<manifest digest>`, so a restore
 * (`providers:sync`) fetches exactly that. Blobs are kept by digest under
 * `<cache_path>/oci/blobs/sha256/`, checked again when read: a second infra vendoring the same
 * version downloads nothing.
 */
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../../errors.ts';
import type { VersionRecord } from '../../formats/metadata.ts';
import { writeFileAtomic } from '../../fs/atomic.ts';
import { plainOciWarning } from '../insecure.ts';
import { packListCommand, type PackSource, type SourcedPack } from '../pack-source.ts';
import { tagOf, versionOfTag } from '../ref.ts';
import { assertSignedName } from '../signed-name.ts';
import { parseArtifact, parseConfig } from './artifact.ts';
import { type Descriptor, digestOf, type OciClient } from './client.ts';

export interface OciSourceOptions {
  client: OciClient;
  namespace: string;
  /** `<cache_path>`: blobs are kept in `<cache>/oci/blobs/sha256/<hex>`. Default: no cache. */
  cacheDir?: string | undefined;
}

/** Blobs by digest, on disk: written after they were checked, checked again when read. */
export class BlobCache {
  constructor(private readonly dir: string) {}

  private file(digest: string): string {
    return path.join(this.dir, 'oci', 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  async get(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer | undefined> {
    const bytes = await readFile(this.file(descriptor.digest)).catch(() => undefined);
    // A damaged or altered cache entry is as good as none: fetched again.
    return bytes && bytes.length === descriptor.size && digestOf(bytes) === descriptor.digest ? bytes : undefined;
  }

  async put(descriptor: Pick<Descriptor, 'digest'>, bytes: Uint8Array): Promise<void> {
    try {
      mkdirSync(path.dirname(this.file(descriptor.digest)), { recursive: true });
      await writeFileAtomic(this.file(descriptor.digest), bytes);
    } catch {
      // The cache is a shortcut only: a full disk here must not fail the vendor.
    }
  }
}

export function ociSource(
  { client, namespace, cacheDir }: OciSourceOptions,
): PackSource & { openDigest(module: string, digest: string): Promise<SourcedPack & { version: string }> } {
  const label = `oci://${client.host}/${namespace}`;
  const ref = { registry: label, kind: 'oci' as const, plainHttp: client.plainHttp };
  const cache = cacheDir ? new BlobCache(cacheDir) : undefined;
  const repoOf = (module: string) => `${namespace}/${module}`;

  const blob = async (repo: string, descriptor: Descriptor): Promise<Buffer> => {
    const cached = await cache?.get(descriptor);
    if (cached) return cached;
    const bytes = await client.getBlob(repo, descriptor);
    await cache?.put(descriptor, bytes);
    return bytes;
  };

  const opened = async (module: string, reference: string): Promise<SourcedPack & { version: string }> => {
    const repo = repoOf(module);
    const where = `${client.host}/${repo}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const manifest = await client.getManifest(repo, reference);
    if (!manifest) throw new ProvisioningError('PACK_NOT_FOUND', `Cannot find ${where}`, { hint: `\`${packListCommand({ ref }, module)}\` shows what it holds` });
    const artifact = parseArtifact(manifest.bytes, where);
    const config = parseConfig(await blob(repo, artifact.config), artifact, where);
    const record: VersionRecord = { package_file: config.package_file, integrity: config.integrity, size: config.size, created: config.created, exported: config.exported };
    return {
      version: config.version,
      record,
      where: `oci://${client.host}/${repo}@${manifest.digest}`,
      async fetchPackage(dest, maxBytes) {
        if (artifact.tar.size > maxBytes) {
          throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${where}: its tar layer is ${artifact.tar.size} bytes, the config says ${maxBytes}`);
        }
        await writeFile(dest, await blob(repo, artifact.tar), { flag: 'wx' });
      },
      async fetchSignature(dest) {
        if (!artifact.signature) return false;
        await writeFile(dest, await blob(repo, artifact.signature), { flag: 'wx' });
        await assertSignedName(dest, config.package_file, `${where} (signature layer)`);
        return true;
      },
    };
  };

  return {
    label,
    ref,
    async modules() {
      // Only a catalog the registry does not offer (undefined) is "cannot say"; a failing one is that failure.
      const repos = await client.catalog();
      return repos?.filter((r) => r.startsWith(`${namespace}/`)).map((r) => r.slice(namespace.length + 1)).filter((m) => !m.includes('/')).sort();
    },
    async versions(module) {
      const tags = await client.listTags(repoOf(module));
      return tags.length === 0 ? undefined : tags.map(versionOfTag);
    },
    async open(module, version) {
      const pack = await opened(module, tagOf(version));
      if (pack.version !== version) {
        throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${client.host}/${repoOf(module)}:${tagOf(version)}: its config says version ${pack.version}`);
      }
      return pack;
    },
    insecure: (signing) => plainOciWarning(label, client, signing),
    /** The very manifest a record names (`…@sha256:…`), whatever its tag says now. */
    openDigest: (module, digest) => opened(module, digest),
  };
}
