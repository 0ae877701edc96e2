import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** BLAKE2b-512 of a file, streamed: minisign's prehash, so packs of any size sign in constant memory. */
export async function blake2b512File(file: string): Promise<Uint8Array> {
  const hash = createHash('blake2b512');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) hash.update(chunk as Buffer);
  return new Uint8Array(hash.digest());
}
