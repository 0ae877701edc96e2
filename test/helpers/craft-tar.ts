/**
 * Builds tar files byte by byte, for tests: 512-byte ustar headers with real checksums, pax
 * (`x`/`g`) records and GNU long names (`L`), so a test can make anything, including what
 * node-tar or GNU tar would refuse to create (links out, devices, `..`, lying sizes).
 */
import { createHash } from 'node:crypto';
import { header as encodeHeader, paxBody } from '../../lib/formats/tar/header.ts';

export { paxBody };

export interface CraftEntry {
  /** Stored in the ustar name field (and prefix, if `prefix` is given). */
  path: string;
  /** Type flag. Default '0' (file), or '5' when `path` ends with '/'. */
  type?: string;
  data?: string | Uint8Array;
  /** The size the header claims. Default the data's length. */
  size?: number;
  mode?: number;
  linkpath?: string;
  /** ustar prefix field (POSIX: joined as `prefix/name`). */
  prefix?: string;
  /** pax records written in an `x` header just before this entry. */
  pax?: Record<string, string>;
  /** A GNU `L` long-name record written just before this entry. */
  gnuLongName?: string;
}

const enc = new TextEncoder();

/** One header through the toolkit's own codec (lib/formats/tar/header.ts), with owner names set as GNU tar would. */
export function header(e: { path: string; type: string; size: number; mode?: number; linkpath?: string; prefix?: string }): Uint8Array {
  return encodeHeader({
    name: e.path,
    prefix: e.prefix ?? '',
    mode: e.mode ?? (e.type === '5' ? 0o755 : 0o644),
    size: e.size,
    mtime: 946684800, // 2000-01-01: fixed, like our packs
    type: e.type,
    linkname: e.linkpath ?? '',
    uname: 'root',
    gname: 'root',
  });
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** The tar bytes for `entries`, ending with two zero blocks unless `end` is false. */
export function craftTar(entries: readonly CraftEntry[], { end = true }: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = paxBody(e.pax);
      parts.push(header({ path: 'PaxHeader/entry', type: 'x', size: body.length }), padded(body));
    }
    if (e.gnuLongName !== undefined) {
      const body = enc.encode(e.gnuLongName + '\0');
      parts.push(header({ path: '././@LongLink', type: 'L', size: body.length }), padded(body));
    }
    const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data ?? new Uint8Array();
    const type = e.type ?? (e.path.endsWith('/') ? '5' : '0');
    parts.push(header({ path: e.path, type, size: e.size ?? data.length, mode: e.mode, linkpath: e.linkpath, prefix: e.prefix }), padded(data));
  }
  if (end) parts.push(new Uint8Array(1024));
  return concat(...parts);
}

/** Byte arrays joined end to end. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export interface PackSpec {
  module?: string;
  version?: string;
  files?: Record<string, string>;
  /** Replace PACK.json's `files` map (to make it lie). */
  manifestFiles?: Record<string, string>;
  /** Replace PACK.json's whole text. */
  manifestText?: string;
  /** Entries appended after the honest ones. */
  extra?: CraftEntry[];
}

/** The entries of an honest pack: the module folder, its files, PACK.json listing them. */
export function packEntries(
  {
    module = 'aws_prov',
    version = '1.2.3',
    files = { 'manifest.toml': '[package]\nname = "aws"\n', 'main.ncl': '{ a = 1 }\n', 'lib/util.ncl': '{ b = 2 }\n' },
    manifestFiles,
    manifestText,
    extra = [],
  }: PackSpec = {},
): CraftEntry[] {
  const digests = Object.fromEntries(Object.entries(files).map(([f, d]) => [f, sha256(d)]));
  const manifest = manifestText ?? JSON.stringify({ name: module, version, files: manifestFiles ?? digests }, null, 2) + '\n';
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    const segs = f.split('/');
    for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'));
  }
  // Paths over the 100-byte name field go in a pax record, as GNU tar --format=posix does.
  const long = (e: CraftEntry): CraftEntry =>
    new TextEncoder().encode(e.path).length <= 100 ? e : { ...e, type: e.path.endsWith('/') ? '5' : '0', path: e.path.slice(0, 99), pax: { path: e.path } };
  return [
    { path: `${module}/` },
    { path: `${module}/PACK.json`, data: manifest },
    ...[...dirs].sort().map((d) => long({ path: `${module}/${d}/` })),
    ...Object.keys(files).sort().map((f) => long({ path: `${module}/${f}`, data: files[f]! })),
    ...extra,
  ];
}
