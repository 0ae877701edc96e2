/**
 * A packed tar against a fresh build of the same version. Entry mtimes come from
 * `SOURCE_DATE_EPOCH` (or the fixed date), which is not content: a CI that sets it from the last
 * commit must not see every unbumped version as changed. So before calling a version's content
 * changed (PACK_EXISTS), the fresh tar is re-stamped with the packed tar's mtime and compared
 * byte for byte: equal means the same entries, modes and bytes, and the packed tar is kept.
 * When they do differ, both are read entry by entry to say which files differ.
 */
import type { FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { BLOCK, decodeHeader, restampHeader } from '../formats/tar/header.ts';
import { TarReader } from '../formats/tar/read.ts';

export type TarComparison =
  /** Byte-identical. */
  | { kind: 'same' }
  /** The same content; only the entries' mtime (seconds) differs. */
  | { kind: 'mtime'; mtime: number }
  /** Other content: `files` are the paths (under the module folder) that differ, added or missing. */
  | { kind: 'content'; files: string[] };

/** The first header's mtime, in seconds; undefined when the file does not start with one. */
export function tarMtime(tar: Buffer): number | undefined {
  if (tar.length < BLOCK) return undefined;
  const mtime = decodeHeader(tar).mtime;
  return Number.isSafeInteger(mtime) ? mtime : undefined;
}

/**
 * A tar this toolkit's writer made (lib/formats/tar/write.ts: ustar and pax headers, one mtime),
 * with every header's mtime set to `mtime` and its checksum sealed again.
 */
export function restamp(tar: Buffer, mtime: number): Buffer {
  const out = Buffer.from(tar);
  for (let at = 0; at + BLOCK <= out.length;) {
    if (out.subarray(at, at + BLOCK).every((b) => b === 0)) break;
    const { size } = decodeHeader(out, at);
    if (!Number.isSafeInteger(size)) break;
    restampHeader(out, at, mtime);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

/** A Buffer as the file handle TarReader reads from. */
function bufferHandle(bytes: Buffer): FileHandle {
  return {
    read: async (buffer: Uint8Array, offset: number, length: number, position: number) => ({
      bytesRead: position >= bytes.length ? 0 : bytes.copy(buffer, offset, position, Math.min(bytes.length, position + length)),
      buffer,
    }),
  } as unknown as FileHandle;
}

/** Every entry as `path → type, mode, sha256`; undefined when the bytes are not a readable tar. */
async function entries(bytes: Buffer): Promise<Map<string, string> | undefined> {
  const out = new Map<string, string>();
  try {
    const reader = new TarReader(bufferHandle(bytes), bytes.length);
    for (let entry = await reader.next(); entry; entry = await reader.next()) {
      const hash = createHash('sha256');
      await reader.body(entry, async (chunk) => void hash.update(chunk));
      out.set(entry.path, `${entry.type} ${(entry.mode & 0o7777).toString(8)} ${hash.digest('hex')}`);
    }
  } catch {
    return undefined;
  }
  return out;
}

/** Compares the packed tar with a fresh build (entries under `<stem>/`). */
export async function compareTars(packed: Buffer, fresh: Buffer, stem: string): Promise<TarComparison> {
  if (packed.equals(fresh)) return { kind: 'same' };
  const mtime = tarMtime(packed);
  if (mtime !== undefined && restamp(fresh, mtime).equals(packed)) return { kind: 'mtime', mtime };
  const [a, b] = [await entries(packed), await entries(fresh)];
  if (!a || !b) return { kind: 'content', files: ['(the packed file is not a readable tar)'] };
  const prefix = `${stem}/`;
  const files = [...new Set([...a.keys(), ...b.keys()])]
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => (p.startsWith(prefix) && p !== prefix ? p.slice(prefix.length) : p))
    .sort();
  // PACK.json lists every file's sha256, so it differs whenever another file does: name it only
  // when it is all that differs (a tar edited by hand).
  const named = files.filter((p) => p !== 'PACK.json');
  return { kind: 'content', files: named.length > 0 ? named : files };
}

/** `3 files differ: a.ncl, b.ncl, export/c.json`, at most `max` named. */
export function describeDifference(files: readonly string[], max = 8): string {
  if (files.length === 0) return 'the tar headers differ (the same files, modes and bytes)';
  const named = files.slice(0, max).join(', ') + (files.length > max ? `, … (${files.length - max} more)` : '');
  return `${files.length} ${files.length === 1 ? 'file differs' : 'files differ'}: ${named}`;
}
