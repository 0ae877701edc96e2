/**
 * A small, strict reader of POSIX ustar / pax / GNU tar files, entry by entry, from a file
 * handle. Why our own and not node-tar's Parser: node-tar silently rewrites what it considers
 * unsafe (strips leading `/`, drops `..` entries with a warning), and a pack must be refused
 * instead, with the entry named. This reader applies no policy at all: it resolves the pax
 * (`x`) and GNU long-name (`L`/`K`) records into the path the entry really has, so the caller
 * validates exactly what an extractor would write. Structural damage (bad checksum, truncated
 * data, oversized metadata) is UNSAFE_ARCHIVE_ENTRY.
 */
import type { FileHandle } from 'node:fs/promises';
import { ProvisioningError } from '../errors.ts';

const BLOCK = 512;
/** Cap on a pax or GNU long-name record's body: real ones are a few hundred bytes. */
const MAX_META_BYTES = 1024 * 1024;

export interface TarEntry {
  /** The path after pax / GNU long-name overrides, exactly as stored (not normalised). */
  path: string;
  /** The raw type flag: `0` (or NUL) file, `5` directory, `1` hard link, `2` symlink, … */
  type: string;
  /** Data size in bytes (after a pax `size` override). */
  size: number;
  mode: number;
  linkpath: string;
  /** Byte offset of the entry's header in the tar, for messages. */
  offset: number;
}

function unsafe(message: string, hint?: string): ProvisioningError {
  return new ProvisioningError('UNSAFE_ARCHIVE_ENTRY', message, hint === undefined ? {} : { hint });
}

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

/** Octal (NUL/space terminated) or GNU base-256 (high bit set). Huge values become Infinity. */
function numeric(block: Uint8Array, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    if ((field[0]! & 0x40) !== 0) return Number.NaN; // negative
    let value = BigInt(field[0]! & 0x3f);
    for (const byte of field.subarray(1)) value = (value << 8n) | BigInt(byte);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(value);
  }
  const digits = text(block, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) return Number.NaN;
  const value = parseInt(digits, 8);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

function checksumOk(block: Uint8Array): boolean {
  const stored = numeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** pax records: `<len> <key>=<value>\n`, where len counts the whole record. */
function parsePax(body: Uint8Array, offset: number): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    const len = space === -1 ? Number.NaN : Number(Buffer.from(body.subarray(pos, space)).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || pos + len > body.length || body[pos + len - 1] !== 0x0a) {
      if (body.subarray(pos).every((b) => b === 0)) break; // NUL padding
      throw unsafe(`Cannot read pax header at offset ${offset}: malformed record`);
    }
    const record = Buffer.from(body.subarray(space + 1, pos + len - 1)).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw unsafe(`Cannot read pax header at offset ${offset}: malformed record`);
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

export class TarReader {
  #handle: FileHandle;
  #fileSize: number;
  #pos = 0;
  #next = 0;

  constructor(handle: FileHandle, fileSize: number) {
    this.#handle = handle;
    this.#fileSize = fileSize;
  }

  async #read(length: number, position: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buffer : buffer.subarray(0, done);
  }

  /** The next real entry (meta records folded in), or undefined at the end of the archive. */
  async next(): Promise<TarEntry | undefined> {
    this.#pos = this.#next;
    let pax = new Map<string, string>();
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const offset = this.#pos;
      const block = await this.#read(BLOCK, offset);
      if (block.length === 0 && pax.size === 0 && longName === undefined && longLink === undefined) return undefined; // EOF without end marker: tolerated, like GNU tar
      if (block.length < BLOCK) throw unsafe(`Cannot read tar header at offset ${offset}: the archive is truncated`);
      if (block.every((b) => b === 0)) {
        if (pax.size > 0 || longName !== undefined || longLink !== undefined) throw unsafe(`Cannot read tar at offset ${offset}: metadata record without an entry`);
        return undefined;
      }
      if (!checksumOk(block)) throw unsafe(`Cannot read tar header at offset ${offset}: bad checksum (corrupted, or not a tar file)`);
      const type = String.fromCharCode(block[156]!).replace('\0', '0');
      let size = numeric(block, 124, 12);
      if (!Number.isFinite(size) || size < 0) throw unsafe(`Cannot read tar header at offset ${offset}: invalid size field`);
      const dataStart = offset + BLOCK;
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        if (size > MAX_META_BYTES) throw unsafe(`Cannot read tar header at offset ${offset}: ${size}-byte metadata record is too large`);
        const body = await this.#read(size, dataStart);
        if (body.length < size) throw unsafe(`Cannot read tar header at offset ${offset}: the archive is truncated`);
        this.#pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'x') pax = new Map([...pax, ...parsePax(body, offset)]);
        else if (type === 'g') {
          // Global headers (git archive writes one with the commit id) may not retarget entries.
          const global = parsePax(body, offset);
          for (const key of ['path', 'linkpath', 'size']) if (global.has(key)) throw unsafe(`Cannot accept tar global header at offset ${offset}: it sets "${key}" for every entry`);
        } else {
          const value = Buffer.from(body).toString('utf8').replace(/\0+$/, '');
          if (type === 'L') longName = value;
          else longLink = value;
        }
        continue;
      }
      const ustar = Buffer.from(block.subarray(257, 263)).toString('latin1') === 'ustar\0';
      const name = text(block, 0, 100);
      const prefix = ustar ? text(block, 345, 155) : '';
      let entryPath = longName ?? (prefix ? `${prefix}/${name}` : name);
      if (pax.has('path')) entryPath = pax.get('path')!;
      const linkpath = pax.get('linkpath') ?? longLink ?? text(block, 157, 100);
      if (pax.has('size')) {
        const raw = pax.get('size')!;
        size = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
        if (!Number.isSafeInteger(size)) throw unsafe(`Cannot read tar header at offset ${offset}: invalid pax size ${JSON.stringify(raw)}`);
      }
      this.#next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      return { path: entryPath, type, size, mode: numeric(block, 100, 8) || 0, linkpath, offset };
    }
  }

  /** Streams the current entry's data to `sink`, refusing a truncated archive. */
  async body(entry: TarEntry, sink: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const start = entry.offset + BLOCK;
    if (start + entry.size > this.#fileSize) throw unsafe(`Cannot extract "${entry.path}": the archive is truncated (its header claims ${entry.size} bytes)`);
    // The header may come after pax records: data starts right after the entry's own header.
    let done = 0;
    while (done < entry.size) {
      const chunk = await this.#read(Math.min(1 << 16, entry.size - done), start + done);
      if (chunk.length === 0) throw unsafe(`Cannot extract "${entry.path}": the archive is truncated`);
      await sink(chunk);
      done += chunk.length;
    }
  }
}
