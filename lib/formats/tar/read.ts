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
import { ProvisioningError } from '../../errors.ts';
import { BLOCK, decodeHeader, parsePax } from './header.ts';

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
      const h = decodeHeader(block);
      if (!h.checksumOk) throw unsafe(`Cannot read tar header at offset ${offset}: bad checksum (corrupted, or not a tar file)`);
      const type = h.type;
      let size = h.size;
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
          for (const key of ['path', 'linkpath', 'size']) {
            if (global.has(key)) throw unsafe(`Cannot accept tar global header at offset ${offset}: it sets "${key}" for every entry`);
          }
        } else {
          const value = Buffer.from(body).toString('utf8').replace(/\0+$/, '');
          if (type === 'L') longName = value;
          else longLink = value;
        }
        continue;
      }
      let entryPath = longName ?? (h.prefix ? `${h.prefix}/${h.name}` : h.name);
      if (pax.has('path')) entryPath = pax.get('path')!;
      const linkpath = pax.get('linkpath') ?? longLink ?? h.linkname;
      if (pax.has('size')) {
        const raw = pax.get('size')!;
        size = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
        if (!Number.isSafeInteger(size)) throw unsafe(`Cannot read tar header at offset ${offset}: invalid pax size ${JSON.stringify(raw)}`);
      }
      this.#next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      return { path: entryPath, type, size, mode: h.mode, linkpath, offset };
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
