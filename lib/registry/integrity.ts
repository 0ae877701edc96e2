import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileIntegrity {
  /** `sha256-<base64>`, as in Subresource Integrity and the pack metadata. */
  integrity: string;
  size: number;
}

/** The SRI digest and size of a file, streamed (packs can be large). */
export async function fileIntegrity(file: string): Promise<FileIntegrity> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { integrity: `sha256-${hash.digest('base64')}`, size };
}
