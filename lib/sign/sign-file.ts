import { createHash } from 'node:crypto';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { privateKeyFromSeed, signRaw } from './ed25519.ts';
import { formatSignature, keyIdHex } from '../formats/minisign.ts';
import { blake2b512File } from './hash-file.ts';
import { loadSecretKey } from './keys.ts';

export interface SignFileOptions {
  /** The file to sign. Required. */
  file: string;
  /** Path of an unencrypted minisign secret key. One of this or `secretKeyText` is required. */
  secretKeyFile?: string;
  /** The secret key file's content, e.g. from a CI secret. Wins over reading `secretKeyFile` (which then only names the key in messages). */
  secretKeyText?: string;
  /** Signed one-line comment. Default `timestamp:<unix seconds>\tfile:<basename>\thashed` (minisign's). */
  trustedComment?: string;
  /** Unsigned one-line comment. Default `signature from minisign secret key`. */
  untrustedComment?: string;
  /** Where to write. Default `<file>.minisig`. */
  signatureFile?: string;
  /**
   * The bytes to sign in place of reading `file`, for a caller that has just checked them (so
   * the file cannot change between that check and the signature). Default: the file's content.
   */
  data?: Uint8Array;
}

export interface SignFileResult {
  signatureFile: string;
  keyId: string;
  trustedComment: string;
}

/**
 * Signs `file` the way `minisign -S` does (Ed25519 over the BLAKE2b-512 of the file, plus a
 * global signature over signature ‖ trusted comment) and writes the `.minisig` atomically.
 */
export async function signFile({
  file,
  secretKeyFile,
  secretKeyText,
  trustedComment,
  untrustedComment = 'signature from minisign secret key',
  signatureFile = `${file}.minisig`,
  data,
}: SignFileOptions): Promise<SignFileResult> {
  if (typeof file !== 'string' || file === '') throw new ProvisioningError('INVALID_OPTION', 'The "file" option must be a non-empty string');
  const comment = trustedComment ?? `timestamp:${Math.floor(Date.now() / 1000)}\tfile:${path.basename(file)}\thashed`;
  for (const [name, value] of [['trustedComment', comment], ['untrustedComment', untrustedComment]] as const) {
    if (/[\r\n]/.test(value)) throw new ProvisioningError('INVALID_OPTION', `The "${name}" option must be a single line`);
  }
  const key = await loadSecretKey({ ...(secretKeyFile !== undefined ? { secretKeyFile } : {}), ...(secretKeyText !== undefined ? { secretKeyText } : {}) });
  const privateKey = privateKeyFromSeed(key.secretKey.subarray(0, 32));
  let digest: Uint8Array;
  try {
    digest = data !== undefined ? new Uint8Array(createHash('blake2b512').update(data).digest()) : await blake2b512File(file);
  } catch (error) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot sign "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file, cause: error });
  }
  const signature = signRaw(privateKey, digest);
  const globalSignature = signRaw(privateKey, Buffer.concat([signature, Buffer.from(comment, 'utf8')]));
  const text = formatSignature({ prehashed: true, keyId: key.keyId, signature, untrustedComment, trustedComment: comment, globalSignature });
  await writeFileAtomic(signatureFile, text);
  return { signatureFile, keyId: keyIdHex(key.keyId), trustedComment: comment };
}
