/**
 * Builds tar files byte by byte, for tests: 512-byte ustar headers with real checksums, pax
 * (`x`/`g`) records and GNU long names (`L`), so a test can make anything, including what
 * node-tar or GNU tar would refuse to create (links out, devices, `..`, lying sizes).
 */
import { createHash } from 'node:crypto';

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

function put(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = enc.encode(value);
  if (bytes.length > length) throw new Error(`craftTar: "${value}" does not fit in ${length} bytes`);
  block.set(bytes, offset);
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

export function header(e: { path: string; type: string; size: number; mode?: number; linkpath?: string; prefix?: string }): Uint8Array {
  const block = new Uint8Array(512);
  put(block, 0, 100, e.path);
  put(block, 100, 8, octal(e.mode ?? (e.type === '5' ? 0o755 : 0o644), 8));
  put(block, 108, 8, octal(0, 8));
  put(block, 116, 8, octal(0, 8));
  if (e.size < 8 ** 11) put(block, 124, 12, octal(e.size, 12));
  else {
    // GNU base-256 for sizes octal cannot hold: high bit set, big-endian.
    let v = BigInt(e.size);
    for (let i = 135; i > 124; i--, v >>= 8n) block[i] = Number(v & 0xffn);
    block[124] = 0x80;
  }
  put(block, 136, 12, octal(946684800, 12)); // 2000-01-01: fixed, like our packs
  put(block, 156, 1, e.type);
  put(block, 157, 100, e.linkpath ?? '');
  put(block, 257, 6, 'ustar\0');
  put(block, 263, 2, '00');
  put(block, 265, 32, 'root');
  put(block, 297, 32, 'root');
  put(block, 345, 155, e.prefix ?? '');
  put(block, 148, 8, '        ');
  const sum = block.reduce((a, b) => a + b, 0);
  put(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

export function paxBody(records: Record<string, string>): Uint8Array {
  let out = '';
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let len = enc.encode(body).length + 1;
    while (String(len).length + enc.encode(body).length !== len) len++;
    out += `${len}${body}`;
  }
  return enc.encode(out);
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
export function packEntries({ module = 'aws_prov', version = '1.2.3', files = { 'manifest.toml': '[package]\nname = "aws"\n', 'main.ncl': '{ a = 1 }\n', 'lib/util.ncl': '{ b = 2 }\n' }, manifestFiles, manifestText, extra = [] }: PackSpec = {}): CraftEntry[] {
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
