/**
 * A plain POSIX (ustar) tar writer, with PAX extended headers only for names ustar cannot
 * hold. Written here rather than through node-tar because every header field must be fixed
 * for byte-identical output (uid/gid 0, empty owner names, normalised modes, one mtime), and
 * building the whole archive in one buffer is several times faster than a stream per entry.
 */
import { BLOCK, encodeHeader, padding, paxRecord, splitUstarPath } from './header.ts';

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

interface Planned {
  name: Uint8Array;
  prefix: Uint8Array;
  pax?: Uint8Array;
  paxName?: Uint8Array;
  data: Uint8Array;
  mode: number;
  type: '0' | '5';
}

const EMPTY = new Uint8Array(0);

/**
 * The whole archive, entries in the order given, ending with two zero blocks. Sizes are worked
 * out first, so the archive is one zero-filled allocation that headers and data are written
 * into (no per-header buffers, no final concatenation: ~8,000 entries per pack:providers run).
 */
export function buildTar(entries: readonly TarEntry[], { mtime }: BuildTarOptions): Buffer {
  const planned: Planned[] = [];
  let total = BLOCK * 2;
  for (const entry of entries) {
    const isDir = entry.path.endsWith('/');
    const data = isDir ? EMPTY : (entry.data ?? EMPTY);
    const mode = entry.mode ?? (isDir ? 0o755 : 0o644);
    const split = splitUstarPath(entry.path);
    const p: Planned = split ? { name: split.name, prefix: split.prefix, data, mode, type: isDir ? '5' : '0' } : {
      name: encoder.encode(entry.path.replace(/[^\x20-\x7e]/g, '_')).subarray(0, 100),
      prefix: EMPTY,
      pax: paxRecord('path', entry.path),
      paxName: encoder.encode(`PaxHeaders/${entry.path.replace(/\/$/, '').split('/').pop()!.replace(/[^\x20-\x7e]/g, '_')}`.slice(0, 99)),
      data,
      mode,
      type: isDir ? '5' : '0',
    };
    if (p.pax) total += BLOCK + p.pax.length + padding(p.pax.length);
    total += BLOCK + data.length + padding(data.length);
    planned.push(p);
  }
  const out = Buffer.alloc(total); // zero-filled: padding and the end blocks are already right
  let at = 0;
  for (const p of planned) {
    if (p.pax) {
      encodeHeader(out, at, { name: p.paxName!, mode: 0o644, size: p.pax.length, mtime, type: 'x' });
      out.set(p.pax, at += BLOCK);
      at += p.pax.length + padding(p.pax.length);
    }
    encodeHeader(out, at, { name: p.name, prefix: p.prefix, mode: p.mode, size: p.data.length, mtime, type: p.type });
    at += BLOCK;
    if (p.data.length > 0) {
      out.set(p.data, at);
      at += p.data.length + padding(p.data.length);
    }
  }
  return out;
}
