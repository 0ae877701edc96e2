/**
 * The one codec of a tar header block (POSIX ustar, with pax and GNU extensions read back): the
 * pack writer, the strict reader, the comparer that re-stamps mtimes, and the tests that craft
 * hostile archives all encode and decode headers here, so they cannot disagree on a byte.
 *
 * Layout of the 512-byte block (offset, width): name 0/100, mode 100/8, uid 108/8, gid 116/8,
 * size 124/12, mtime 136/12, checksum 148/8, type 156/1, linkname 157/100, magic 257/6,
 * version 263/2, uname 265/32, gname 297/32, devmajor 329/8, devminor 337/8, prefix 345/155.
 */
import { ProvisioningError } from '../../errors.ts';

export const BLOCK = 512;

const encoder = new TextEncoder();

export interface HeaderFields {
  /** The name field's bytes (at most 100). */
  name: Uint8Array | string;
  /** The ustar prefix field (at most 155 bytes); joined as `prefix/name`. Default empty. */
  prefix?: Uint8Array | string;
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Type flag: `0` file, `5` folder, `x` pax record, `L` GNU long name, … */
  type: string;
  /** Default empty. */
  linkname?: string;
  /** Owner names; the pack writer leaves them empty (no owner leaks into a pack). Default empty. */
  uname?: string;
  gname?: string;
}

function bytesOf(value: Uint8Array | string | undefined): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : (value ?? new Uint8Array(0));
}

function put(out: Uint8Array, at: number, width: number, value: Uint8Array | string, what: string): void {
  // Most fields are short ASCII (octal numbers, the magic, the type flag): written byte by byte,
  // as TextEncoder would, without a Uint8Array for each (ten per header, 8,000 headers a pack run).
  // deno-lint-ignore no-control-regex -- any ASCII byte, NUL included, is written as itself
  if (typeof value === 'string' && value.length <= width && /^[\x00-\x7f]*$/.test(value)) {
    for (let i = 0; i < value.length; i++) out[at + i] = value.charCodeAt(i);
    return;
  }
  const bytes = bytesOf(value);
  if (bytes.length > width) throw new RangeError(`Cannot write tar header ${what} ${JSON.stringify(String(value))}: more than ${width} bytes`);
  out.set(bytes, at);
}

/** `width - 1` octal digits, zero-padded, then NUL, as GNU tar and node-tar write them. */
function octal(out: Uint8Array, at: number, value: number, width: number): void {
  put(out, at, width, value.toString(8).padStart(width - 1, '0') + '\0', 'number');
}

/** A number too big for its octal field, as GNU base-256: high bit set, then big-endian. */
function base256(out: Uint8Array, at: number, value: number, width: number): void {
  let v = BigInt(value);
  for (let i = at + width - 1; i > at; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  out[at] = 0x80;
}

/** The unsigned byte sum of a header with its checksum field read as eight spaces. */
function sumOf(block: Uint8Array, at = 0): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[at + i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

/** Writes the checksum field from the block's bytes: six octal digits, NUL, space. */
function sealChecksum(out: Uint8Array, at: number): void {
  put(out, at + 148, 8, sumOf(out, at).unsigned.toString(8).padStart(6, '0') + '\0 ', 'checksum');
}

/**
 * Encodes one header into `out` at `at`, whose 512 bytes must still be zero, and seals its
 * checksum. uid and gid are always 0; devmajor/devminor stay zero-filled.
 */
export function encodeHeader(out: Uint8Array, at: number, h: HeaderFields): void {
  put(out, at, 100, h.name, 'name');
  octal(out, at + 100, h.mode, 8);
  octal(out, at + 108, 0, 8);
  octal(out, at + 116, 0, 8);
  if (h.size < 8 ** 11) octal(out, at + 124, h.size, 12);
  else base256(out, at + 124, h.size, 12);
  octal(out, at + 136, h.mtime, 12);
  put(out, at + 156, 1, h.type, 'type');
  put(out, at + 157, 100, h.linkname ?? '', 'linkname');
  put(out, at + 257, 8, 'ustar\u000000', 'magic');
  put(out, at + 265, 32, h.uname ?? '', 'uname');
  put(out, at + 297, 32, h.gname ?? '', 'gname');
  put(out, at + 345, 155, bytesOf(h.prefix), 'prefix');
  sealChecksum(out, at);
}

/** One header block of its own. */
export function header(h: HeaderFields): Uint8Array {
  const block = new Uint8Array(BLOCK);
  encodeHeader(block, 0, h);
  return block;
}

/** A NUL-terminated text field, as UTF-8. */
export function textField(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

/** Octal (NUL/space terminated) or GNU base-256 (high bit set). Huge values are Infinity, garbage NaN. */
export function numericField(block: Uint8Array, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    if ((field[0]! & 0x40) !== 0) return Number.NaN; // negative
    let value = BigInt(field[0]! & 0x3f);
    for (const byte of field.subarray(1)) value = (value << 8n) | BigInt(byte);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(value);
  }
  const digits = textField(block, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) return Number.NaN;
  const value = parseInt(digits, 8);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

export interface DecodedHeader {
  name: string;
  /** Empty unless the block has the ustar magic. */
  prefix: string;
  /** The type flag; a NUL (old tars' file) reads as `0`. */
  type: string;
  size: number;
  mode: number;
  mtime: number;
  linkname: string;
  ustar: boolean;
  /** The stored checksum matches the bytes (as unsigned or, like old tars, signed sums). */
  checksumOk: boolean;
}

export function decodeHeader(block: Uint8Array, at = 0): DecodedHeader {
  const b = block.subarray(at, at + BLOCK);
  const stored = numericField(b, 148, 8);
  const { unsigned, signed } = sumOf(b);
  const ustar = Buffer.from(b.subarray(257, 263)).toString('latin1') === 'ustar\0';
  return {
    name: textField(b, 0, 100),
    prefix: ustar ? textField(b, 345, 155) : '',
    type: String.fromCharCode(b[156]!).replace('\0', '0'),
    size: numericField(b, 124, 12),
    mode: numericField(b, 100, 8) || 0,
    mtime: numericField(b, 136, 12),
    linkname: textField(b, 157, 100),
    ustar,
    checksumOk: stored === unsigned || stored === signed,
  };
}

/** Sets the mtime of the header at `at` (in place) and seals its checksum again. */
export function restampHeader(tar: Uint8Array, at: number, mtime: number): void {
  tar.fill(0, at + 136, at + 148);
  octal(tar, at + 136, mtime, 12);
  sealChecksum(tar, at);
}

/** Bytes of padding after `size` bytes of data, up to the next block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** One pax record: `<len> <key>=<value>\n`, where len counts the whole record, itself included. */
export function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return encoder.encode(`${len}${body}`);
}

/** The body of a pax (`x`/`g`) header holding `records`. */
export function paxBody(records: Record<string, string>): Uint8Array {
  return Buffer.concat(Object.entries(records).map(([key, value]) => paxRecord(key, value)));
}

/** Parses a pax body; a malformed record is UNSAFE_ARCHIVE_ENTRY naming the header's offset. */
export function parsePax(body: Uint8Array, offset: number): Map<string, string> {
  const bad = () => new ProvisioningError('UNSAFE_ARCHIVE_ENTRY', `Cannot read pax header at offset ${offset}: malformed record`);
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    const len = space === -1 ? Number.NaN : Number(Buffer.from(body.subarray(pos, space)).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || pos + len > body.length || body[pos + len - 1] !== 0x0a) {
      if (body.subarray(pos).every((b) => b === 0)) break; // NUL padding
      throw bad();
    }
    const record = Buffer.from(body.subarray(space + 1, pos + len - 1)).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw bad();
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/**
 * A path split into ustar's prefix (155 bytes) and name (100 bytes), when it fits and is plain
 * ASCII; undefined when it needs a pax `path` record instead.
 */
export function splitUstarPath(path: string): { name: Uint8Array; prefix: Uint8Array } | undefined {
  if (!/^[\x20-\x7e]*$/.test(path)) return undefined; // non-ASCII: pax carries it as UTF-8
  const bytes = encoder.encode(path);
  if (bytes.length <= 100) return { name: bytes, prefix: new Uint8Array(0) };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (i <= 155 && path.length - i - 1 <= 100 && path.length - i - 1 > 0) {
      return { name: encoder.encode(path.slice(i + 1)), prefix: encoder.encode(path.slice(0, i)) };
    }
  }
  return undefined;
}
