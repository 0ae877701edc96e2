import { ProvisioningError } from '../errors.ts';

/** `<module>/PACK.json`: the pack's name, version and the sha256 (hex) of every other file. */
export interface PackManifest {
  name: string;
  version: string;
  /** Relative path (with `/`) → lower-case sha256 hex. PACK.json itself is not listed. */
  files: Record<string, string>;
}

export const PACK_MANIFEST = 'PACK.json';

/**
 * PACK.json's bytes: `name`, `version` and `files` with keys byte-sorted, two-space indented,
 * one trailing newline. The object has no prototype, so a file named `__proto__` is listed like
 * any other (a `{}` would drop it).
 */
export function formatPackManifest({ name, version, files }: PackManifest): Buffer {
  const sorted: Record<string, string> = Object.create(null);
  for (const rel of Object.keys(files).sort()) sorted[rel] = files[rel]!;
  return Buffer.from(JSON.stringify({ name, version, files: sorted }, null, 2) + '\n');
}

/** Parses and shape-checks PACK.json; anything malformed is INTEGRITY_MISMATCH. */
export function parsePackManifest(text: string, source: string): PackManifest {
  const bad = (reason: string): ProvisioningError => new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${source}: ${reason}`, { file: source });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('it is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('it is not a JSON object');
  const { name, version, files } = data as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') throw bad('"name" must be a non-empty string');
  if (typeof version !== 'string' || version === '') throw bad('"version" must be a non-empty string');
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw bad('"files" must be an object of path → sha256');
  // No prototype: a file named `__proto__` is a key like any other, never a setter.
  const out: Record<string, string> = Object.create(null);
  for (const [file, digest] of Object.entries(files)) {
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) throw bad(`"files.${file}" must be a lower-case sha256 hex digest`);
    out[file] = digest;
  }
  return { name, version, files: out };
}
