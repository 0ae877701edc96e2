/**
 * A pack as an OCI artifact (SPEC "OCI registries"): an image manifest with
 * `artifactType: application/vnd.provisioning.pack.v1`, a config blob holding that version's
 * metadata, the tar as one layer byte for byte, and its `.minisig` as a second layer when signed,
 * as Helm carries its provenance file. Built from the pack alone: nothing in the manifest or the
 * config is the time of publishing (`created` is the pack's own mtime), so the same sources give
 * the same digest on any machine.
 */
import { ProvisioningError } from '../../errors.ts';
import { isSri, sri } from '../../formats/integrity.ts';
import type { PackInfo } from '../../formats/metadata.ts';
import { decodeHeader } from '../../formats/tar/header.ts';
import { SHA256_DIGEST } from '../ref.ts';
import { type Descriptor, digestOf, OCI_MANIFEST } from './client.ts';

export const MEDIA_TYPES = {
  artifact: 'application/vnd.provisioning.pack.v1',
  config: 'application/vnd.provisioning.pack.config.v1+json',
  layer: 'application/vnd.provisioning.pack.layer.v1.tar',
  signature: 'application/vnd.provisioning.pack.signature.v1.minisig',
} as const;

const TITLE = 'org.opencontainers.image.title';

/** The config blob: the version's metadata, as `registry/<module>.json` records it. */
export interface PackConfig {
  name: string;
  version: string;
  /** The tar's file name, `<module>_<version>.tar`. */
  package_file: string;
  integrity: string;
  size: number;
  exported: boolean;
  /** `YYYY-MM-DD HH:MM:SS` (UTC): the pack's own mtime, SOURCE_DATE_EPOCH or the fixed date. */
  created: string;
  maintainer: string;
  repository: string;
  license: string;
  homepage: string;
}

export interface PackArtifactInput {
  name: string;
  version: string;
  /** The tar's file name. */
  tarName: string;
  tar: Uint8Array;
  signature?: Uint8Array | undefined;
  exported: boolean;
  info: PackInfo;
}

export interface PackArtifact {
  config: Buffer;
  manifest: Buffer;
  /** `sha256:…` of `manifest`. */
  digest: string;
  /** The tar layer's digest: what tells the same pack apart from another (the signature aside). */
  tarDigest: string;
  /** Config, tar and signature, in push order. */
  blobs: Buffer[];
}

/** The tar's entries' mtime (seconds), read from its first header. */
function tarMtime(tar: Uint8Array): number {
  const mtime = tar.length >= 512 ? decodeHeader(tar).mtime : Number.NaN;
  if (!Number.isSafeInteger(mtime)) throw new ProvisioningError('INTEGRITY_MISMATCH', 'Cannot publish a pack whose tar has no readable first header');
  return mtime;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function buildArtifact({ name, version, tarName, tar, signature, exported, info }: PackArtifactInput): PackArtifact {
  const when = new Date(tarMtime(tar) * 1000).toISOString();
  const packConfig: PackConfig = {
    name,
    version,
    package_file: tarName,
    integrity: sri(tar),
    size: tar.length,
    exported,
    created: when.slice(0, 19).replace('T', ' '),
    maintainer: info.maintainer,
    repository: info.repository,
    license: info.license,
    homepage: info.homepage,
  };
  const config = json(packConfig);
  const tarBytes = Buffer.from(tar);
  const layers: Descriptor[] = [{ mediaType: MEDIA_TYPES.layer, digest: digestOf(tarBytes), size: tarBytes.length, annotations: { [TITLE]: tarName } }];
  const blobs = [config, tarBytes];
  if (signature) {
    const sig = Buffer.from(signature);
    layers.push({ mediaType: MEDIA_TYPES.signature, digest: digestOf(sig), size: sig.length, annotations: { [TITLE]: `${tarName}.minisig` } });
    blobs.push(sig);
  }
  const annotations: Record<string, string> = { 'org.opencontainers.image.version': version };
  if (info.license) annotations['org.opencontainers.image.licenses'] = info.license;
  if (info.repository) annotations['org.opencontainers.image.source'] = info.repository;
  annotations['org.opencontainers.image.created'] = when.replace('.000Z', 'Z');
  const manifest = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: MEDIA_TYPES.artifact,
    config: { mediaType: MEDIA_TYPES.config, digest: digestOf(config), size: config.length },
    layers,
    annotations,
  });
  return { config, manifest, digest: digestOf(manifest), tarDigest: layers[0]!.digest, blobs };
}

export interface ParsedArtifact {
  config: Descriptor;
  tar: Descriptor;
  signature?: Descriptor;
}

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Descriptor;
  return typeof d === 'object' && d !== null && typeof d.mediaType === 'string' && typeof d.digest === 'string' && SHA256_DIGEST.test(d.digest) && Number.isSafeInteger(d.size) &&
    d.size >= 0;
}

/** A pulled manifest as a pack artifact; REGISTRY_ERROR naming what it is when it is not one. */
export function parseArtifact(bytes: Uint8Array, where: string): ParsedArtifact {
  let data: { mediaType?: unknown; artifactType?: unknown; config?: unknown; layers?: unknown };
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof data;
  } catch {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot use ${where}: its manifest is not JSON`);
  }
  const config = data.config;
  const type = data.artifactType ?? (isDescriptor(config) ? config.mediaType : undefined);
  if (data.mediaType !== OCI_MANIFEST || type !== MEDIA_TYPES.artifact && !(isDescriptor(config) && config.mediaType === MEDIA_TYPES.config)) {
    throw new ProvisioningError(
      'REGISTRY_ERROR',
      `Cannot use ${where}: it is ${String(type ?? data.mediaType ?? 'an unknown artifact')}, not a provider pack (${MEDIA_TYPES.artifact})`,
      {
        hint: 'that tag holds something else than what pack:publish pushes',
      },
    );
  }
  const layers = Array.isArray(data.layers) ? data.layers.filter(isDescriptor) : [];
  const tars = layers.filter((l) => l.mediaType === MEDIA_TYPES.layer);
  const signatures = layers.filter((l) => l.mediaType === MEDIA_TYPES.signature);
  if (!isDescriptor(config) || config.mediaType !== MEDIA_TYPES.config || tars.length !== 1 || signatures.length > 1) {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot use ${where}: its manifest does not hold one pack config, one tar layer and at most one signature`);
  }
  return { config, tar: tars[0]!, ...(signatures[0] ? { signature: signatures[0] } : {}) };
}

/** The config blob, checked against the tar layer it describes. */
export function parseConfig(bytes: Uint8Array, artifact: ParsedArtifact, where: string): PackConfig {
  let data: PackConfig;
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8')) as PackConfig;
  } catch {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot use ${where}: its pack config is not JSON`);
  }
  if (typeof data?.name !== 'string' || typeof data.version !== 'string' || typeof data.package_file !== 'string' || !isSri(data.integrity) || !Number.isSafeInteger(data.size)) {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot use ${where}: its pack config lacks a name, version, package_file, sha256 integrity or size`);
  }
  const hex = Buffer.from(data.integrity.slice('sha256-'.length), 'base64').toString('hex');
  if (`sha256:${hex}` !== artifact.tar.digest || data.size !== artifact.tar.size) {
    throw new ProvisioningError(
      'INTEGRITY_MISMATCH',
      `Cannot trust ${where}: its config says ${data.integrity} (${data.size} bytes), its tar layer is ${artifact.tar.digest} (${artifact.tar.size} bytes)`,
    );
  }
  return data;
}
