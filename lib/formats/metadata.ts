/**
 * Registry metadata, `<registry>/<name>.json`: the seed's fields for the newest version (by
 * semver), its SRI `integrity` and `size`, and one `versions` entry per version present.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { ProvisioningError } from '../errors.ts';
import { writeFileAtomicSync } from '../fs/atomic.ts';

export interface VersionRecord {
  package_file: string;
  /** `sha256-<base64>`, as in SRI. */
  integrity: string;
  size: number;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  created: string;
  /** False when the pack holds sources only (no `export/*.json`). */
  exported: boolean;
}

export interface PackInfo {
  maintainer: string;
  repository: string;
  license: string;
  homepage: string;
}

export interface PackMetadata extends PackInfo, VersionRecord {
  name: string;
  version: string;
  versions: Record<string, VersionRecord>;
}

/** `2025-09-29 20:47:21`, in UTC so the same moment reads the same on every machine. */
export function formatCreated(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** The metadata file's content, or undefined when there is none; a corrupt file is `REGISTRY_ERROR`. */
export function readMetadata(file: string): PackMetadata | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const data = JSON.parse(text) as PackMetadata;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not a JSON object');
    if (typeof data.versions !== 'object' || data.versions === null) data.versions = {};
    return data;
  } catch (error) {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot read metadata "${file}": ${(error as Error).message}`, {
      file,
      hint: 'fix or remove the file; the next pack rewrites it from the packages present',
    });
  }
}

export interface BuildMetadataOptions {
  /** The package name (`aws_prov`, `provisioning_core`). Required. */
  name: string;
  /** Every version present. Required; may be empty (then there is no metadata). */
  versions: Record<string, VersionRecord>;
  /** maintainer, repository, license, homepage. Required. */
  info: PackInfo;
  /** Fields of an older file that this toolkit does not write, kept as they were. Default none. */
  previous?: PackMetadata | undefined;
}

/** The whole document, top-level fields from the highest semver version; undefined when none is left. */
export function buildMetadata({ name, versions, info, previous }: BuildMetadataOptions): PackMetadata | undefined {
  const ordered = Object.keys(versions).sort(semver.rcompare);
  const newest = ordered[0];
  if (newest === undefined) return undefined;
  const top = versions[newest]!;
  const sorted = Object.fromEntries(ordered.map((v) => [v, versions[v]!]));
  return {
    ...previous,
    name,
    version: newest,
    package_file: top.package_file,
    created: top.created,
    maintainer: info.maintainer,
    repository: info.repository,
    license: info.license,
    homepage: info.homepage,
    integrity: top.integrity,
    size: top.size,
    exported: top.exported,
    versions: sorted,
  };
}

export interface WriteMetadataOptions {
  /** Flush the temp file to disk before the rename. Default true (see packModule for why packing passes false). */
  fsync?: boolean;
}

/** Writes the document atomically (temp file + rename): readers never see half of it. */
export function writeMetadata(file: string, data: PackMetadata, { fsync = true }: WriteMetadataOptions = {}): void {
  writeFileAtomicSync(file, JSON.stringify(data, null, 2) + '\n', { fsync });
}

/** The info fields of the config's `[distribution.metadata]`, or of the file already there. */
export function infoOf(meta: PackMetadata): PackInfo {
  return { maintainer: meta.maintainer, repository: meta.repository, license: meta.license, homepage: meta.homepage };
}
