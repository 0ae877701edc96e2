/**
 * A pack's tar from files already in memory: `PACK.json` added, entries sorted, one buffer.
 * `pack:provider(s)` calls this directly (no vinyl objects or stream hops per file) and the
 * reproducibleTar plugin's flush calls it too, so both give the same bytes by construction.
 */
import { sha256Hex } from '../formats/integrity.ts';
import { formatPackManifest, PACK_MANIFEST } from '../formats/pack-json.ts';
import { buildTar, type TarEntry } from '../formats/tar/write.ts';
import { packMtime } from './rules.ts';

/** One file for {@link packTar}. */
export interface PackTarFile {
  /** `/`-separated path under the module folder. */
  rel: string;
  data: Uint8Array;
  /** 0o644 or 0o755 (see normaliseMode). */
  mode: number;
  /** Hex sha256 of `data`, when already known (the pack cache hashes every file). Default: computed. */
  sha256?: string | undefined;
}

export interface PackTarOptions {
  /** Top folder of every entry and the tar's name stem, e.g. `aws_prov`. Required. */
  module: string;
  /** Version in `PACK.json`. Required. */
  version: string;
  /** `name` in `PACK.json`. Default: `module`. */
  name?: string;
  /** Entry mtime in seconds. Default: `SOURCE_DATE_EPOCH`, else 1985-10-26 (see FIXED_MTIME). */
  mtime?: number;
}

/** `PACK.json` for `files`, reusing each one's `sha256` when the caller already has it. */
export function packJson(name: string, version: string, files: readonly PackTarFile[]): Buffer {
  const digests: Record<string, string> = Object.create(null);
  for (const file of files) digests[file.rel] = file.sha256 ?? sha256Hex(file.data);
  return formatPackManifest({ name, version, files: digests });
}

export function packTar(files: readonly PackTarFile[], { module, version, name = module, mtime = packMtime() }: PackTarOptions): Buffer {
  const map = new Map<string, { data: Uint8Array; mode: number }>();
  for (const f of files) {
    if (map.has(f.rel) || f.rel === PACK_MANIFEST) throw new Error(`Cannot pack "${f.rel}" twice: two files have that path`);
    map.set(f.rel, { data: f.data, mode: f.mode });
  }
  map.set(PACK_MANIFEST, { data: packJson(name, version, files), mode: 0o644 });
  return buildTar(tarEntries(module, map), { mtime });
}

/** Sorted entries: every folder (implied by the files) and file under `<module>/`, then `PACK.json`. */
export function tarEntries(module: string, files: Map<string, { data: Uint8Array; mode: number }>): TarEntry[] {
  const entries = new Map<string, TarEntry>([[`${module}/`, { path: `${module}/` }]]);
  for (const [rel, file] of files) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${module}/${parts.slice(0, i).join('/')}/`;
      entries.set(dir, { path: dir });
    }
    entries.set(`${module}/${rel}`, { path: `${module}/${rel}`, data: file.data, mode: file.mode });
  }
  // Byte order (not locale order), so every machine sorts alike; a folder "x/" precedes "x/...".
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
