/**
 * A plain POSIX (ustar) tar writer, with PAX extended headers only for names ustar cannot
 * hold. Written here rather than through node-tar because every header field must be fixed
 * for byte-identical output (uid/gid 0, empty owner names, normalised modes, one mtime), and
 * building the whole archive in one buffer is several times faster than a stream per entry.
 */
const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive, `/`-separated; a folder ends with `/`. */
  path: string;
  /** File content; absent for a folder. */
  data?: Uint8Array;
  /** Permission bits; default 0o644 for a file, 0o755 for a folder. */
  mode?: number;
}

export interface BuildTarOptions {
  /** Modification time of every entry, in seconds since the epoch. */
  mtime: number;
}

const encoder = new TextEncoder();

function octal(header: Buffer, value: number, offset: number, width: number): void {
  // width - 1 octal digits, zero-padded, then NUL, as GNU tar and node-tar write them.
  header.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

function header(name: Uint8Array, prefix: Uint8Array, size: number, mode: number, mtime: number, type: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.set(name, 0);
  octal(h, mode, 100, 8);
  octal(h, 0, 108, 8); // uid 0
  octal(h, 0, 116, 8); // gid 0
  octal(h, size, 124, 12);
  octal(h, mtime, 136, 12);
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder: eight spaces
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'ascii');
  // uname/gname (265, 297) stay empty; devmajor/devminor stay zero-filled.
  h.set(prefix, 345);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** Splits a path into ustar's prefix (155 bytes) and name (100 bytes), when it fits. */
function splitUstar(bytes: Uint8Array, path: string): [Uint8Array, Uint8Array] | undefined {
  if (!/^[\x20-\x7e]*$/.test(path)) return undefined; // non-ASCII: PAX carries it as UTF-8
  if (bytes.length <= 100) return [bytes, new Uint8Array(0)];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (i <= 155 && path.length - i - 1 <= 100 && path.length - i - 1 > 0) {
      return [encoder.encode(path.slice(i + 1)), encoder.encode(path.slice(0, i))];
    }
  }
  return undefined;
}

/** One PAX record: `<len> path=<value>\n`, where len counts itself. */
function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return encoder.encode(`${len}${body}`);
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The whole archive, entries in the order given, ending with two zero blocks. */
export function buildTar(entries: readonly TarEntry[], { mtime }: BuildTarOptions): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  const push = (chunk: Uint8Array) => {
    parts.push(chunk);
    total += chunk.length;
  };
  for (const entry of entries) {
    const isDir = entry.path.endsWith('/');
    const data = entry.data ?? new Uint8Array(0);
    const mode = entry.mode ?? (isDir ? 0o755 : 0o644);
    const bytes = encoder.encode(entry.path);
    const split = splitUstar(bytes, entry.path);
    let name: Uint8Array;
    let prefix: Uint8Array;
    if (split) [name, prefix] = split;
    else {
      const pax = paxRecord('path', entry.path);
      const base = entry.path.replace(/\/$/, '').split('/').pop()!.replace(/[^\x20-\x7e]/g, '_');
      push(header(encoder.encode(`PaxHeaders/${base}`.slice(0, 99)), new Uint8Array(0), pax.length, 0o644, mtime, 'x'));
      push(pax);
      push(new Uint8Array(padding(pax.length)));
      name = encoder.encode(entry.path.replace(/[^\x20-\x7e]/g, '_')).subarray(0, 100);
      prefix = new Uint8Array(0);
    }
    push(header(name, prefix, isDir ? 0 : data.length, mode, mtime, isDir ? '5' : '0'));
    if (!isDir && data.length > 0) {
      push(data);
      push(new Uint8Array(padding(data.length)));
    }
  }
  push(new Uint8Array(BLOCK * 2));
  return Buffer.concat(parts, total);
}
