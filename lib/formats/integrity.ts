/**
 * Digests, in the two shapes the toolkit stores: SRI (`sha256-<base64>`, as in Subresource
 * Integrity, npm's lockfiles and the pack metadata) and hex (`PACK.json`'s per-file digests).
 * The one place either is computed or checked.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileIntegrity {
  /** `sha256-<base64>`. */
  integrity: string;
  size: number;
}

const SRI_SHA256 = /^sha256-[A-Za-z0-9+/]{43}=$/;

/** `sha256-<base64>` of some bytes. */
export function sri(data: Uint8Array | string): string {
  return `sha256-${createHash('sha256').update(data).digest('base64')}`;
}

/** True for a well-formed sha256 SRI string (`sha256-` and 44 base64 characters). */
export function isSri(value: unknown): value is string {
  return typeof value === 'string' && SRI_SHA256.test(value);
}

/** Lower-case hex sha256 of some bytes. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function hashFile(file: string): Promise<{ hash: ReturnType<typeof createHash>; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash, size };
}

/** The SRI digest and size of a file, streamed (packs can be large). */
export async function fileIntegrity(file: string): Promise<FileIntegrity> {
  const { hash, size } = await hashFile(file);
  return { integrity: `sha256-${hash.digest('base64')}`, size };
}

/** Hex sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  return (await hashFile(file)).hash.digest('hex');
}
