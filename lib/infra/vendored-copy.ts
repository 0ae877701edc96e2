/**
 * A vendored copy (`<infra>/vendor/<module>/`) against the digests it was extracted with: the
 * pack's own PACK.json, kept inside it, itself checked first against the digest the records
 * hold (`pack_manifest`), since whoever can edit the copy can rewrite its PACK.json too. What install, remove and re-vendoring check before
 * deleting a copy (a local edit is never lost silently), and what `validate --production` reports.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareDigests, type DigestDifferences, hashFolder } from '../archive/hash-folder.ts';
import { PACK_MANIFEST, type PackManifest, parsePackManifest } from '../formats/pack-json.ts';
import { ProvisioningError } from '../errors.ts';
import { sri } from '../formats/integrity.ts';

export type VendoredCopy =
  | { kind: 'absent' }
  /** Every file matches PACK.json, which names the expected module and version. */
  | { kind: 'intact'; manifest: PackManifest }
  /** Something differs: `files` lists what (relative paths), `reason` says how. */
  | { kind: 'modified'; reason: string; files: string[]; manifest?: PackManifest };

export interface InspectVendoredOptions {
  /** `<infra>/vendor/<module>`. Required. */
  dir: string;
  /** The module PACK.json must name. Required. */
  module: string;
  /** The version PACK.json must name (the recorded one). Default: any. */
  version?: string | null | undefined;
  /** The recorded SRI digest of PACK.json (`pack_manifest`). Default: none recorded (older records): PACK.json is trusted. */
  packManifest?: string | undefined;
}

function describe(diff: DigestDifferences): string {
  return [
    diff.changed.length ? `changed: ${diff.changed.join(', ')}` : '',
    diff.missing.length ? `missing: ${diff.missing.join(', ')}` : '',
    diff.extra.length ? `added: ${diff.extra.join(', ')}` : '',
  ].filter(Boolean).join('; ');
}

export async function inspectVendoredCopy({ dir, module, version, packManifest }: InspectVendoredOptions): Promise<VendoredCopy> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return { kind: 'absent' };
  if (!st.isDirectory()) return { kind: 'modified', reason: `it is a ${st.isSymbolicLink() ? 'symlink' : 'file'}, not the folder vendoring makes`, files: ['.'] };
  let manifest: PackManifest;
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, PACK_MANIFEST));
  } catch {
    return { kind: 'modified', reason: `its ${PACK_MANIFEST} is missing or unreadable`, files: [PACK_MANIFEST] };
  }
  if (packManifest !== undefined && sri(bytes) !== packManifest) {
    return { kind: 'modified', reason: `its ${PACK_MANIFEST} is not the one vendored (digest ${sri(bytes)}, recorded pack_manifest ${packManifest})`, files: [PACK_MANIFEST] };
  }
  try {
    manifest = parsePackManifest(bytes.toString('utf8'), path.join(dir, PACK_MANIFEST));
  } catch {
    return { kind: 'modified', reason: `its ${PACK_MANIFEST} is missing or unreadable`, files: [PACK_MANIFEST] };
  }
  if (manifest.name !== module || (version != null && manifest.version !== version)) {
    return {
      kind: 'modified',
      reason: `its ${PACK_MANIFEST} names ${manifest.name} ${manifest.version}, expected ${module} ${version ?? ''}`.trim(),
      files: [PACK_MANIFEST],
      manifest,
    };
  }
  const diff = compareDigests(manifest.files, await hashFolder({ dir }));
  const files = [...diff.changed, ...diff.missing, ...diff.extra].sort();
  return files.length === 0 ? { kind: 'intact', manifest } : { kind: 'modified', reason: describe(diff), files, manifest };
}

export interface AssertIntactOptions extends InspectVendoredOptions {
  /** Shown in the message, e.g. the root-relative path. Default `dir`. */
  display?: string;
  /** What the caller was about to do, e.g. `switch wuji back to the link`. Required. */
  action: string;
}

/** VENDOR_MODIFIED, worded once: `action` (`remove "aws" from "wuji"`) would lose the local edits `reason` names. */
export function vendorModified(action: string, shown: string, reason: string): ProvisioningError {
  return new ProvisioningError('VENDOR_MODIFIED', `Cannot ${action}: the vendored copy ${shown}/ was edited locally (${reason})`, {
    file: shown,
    hint: 'keep your edits elsewhere first, or pass --force to discard them',
  });
}

/** VENDOR_MODIFIED (naming the files) unless the copy is absent or intact. */
export async function assertVendoredIntact({ display, action, ...options }: AssertIntactOptions): Promise<VendoredCopy> {
  const copy = await inspectVendoredCopy(options);
  if (copy.kind === 'modified') throw vendorModified(action, display ?? options.dir, copy.reason);
  return copy;
}
