import { readFile } from 'node:fs/promises';
import { ProvisioningError } from '../errors.ts';
import { publicKeyFromRaw, verifyRaw } from './ed25519.ts';
import { keyIdHex, parseSignature, type PublicKey, signedFileName } from '../formats/minisign.ts';
import { blake2b512File } from './hash-file.ts';
import { loadPublicKey } from './keys.ts';

export interface VerifyFileOptions {
  /** The signed file. Required. */
  file: string;
  /** Default `<file>.minisig`. */
  signatureFile?: string;
  /** Trusted keys: `.pub` file paths or key text (file content or the bare `RW…` line). At least one. */
  publicKeys: readonly string[];
  /**
   * The name the file was signed as. When the (verified) trusted comment has `file:<name>`, it
   * must be this, else SIGNATURE_INVALID: another file's signature, renamed alongside it, does not
   * pass. A comment without `file:` is accepted. Default: no check (as `minisign -V`).
   */
  signedName?: string;
}

export interface VerifiedSignature {
  /** Id of the key that made the signature, e.g. `5C1554A425F3B7A4`. */
  keyId: string;
  /** The signed comment (minisign's default: `timestamp:…\tfile:…\thashed`). */
  trustedComment: string;
  /** false for a legacy (`Ed`, not prehashed) signature. */
  prehashed: boolean;
}

/**
 * Checks `file` against its minisign signature with any of `publicKeys`, as `minisign -V`
 * does: the signature over the file, then the global signature over the trusted comment.
 * Missing signature: SIGNATURE_MISSING. Anything else wrong: SIGNATURE_INVALID.
 */
export async function verifyFile({ file, signatureFile = `${file}.minisig`, publicKeys, signedName }: VerifyFileOptions): Promise<VerifiedSignature> {
  if (typeof file !== 'string' || file === '') throw new ProvisioningError('INVALID_OPTION', 'The "file" option must be a non-empty string');
  if (!Array.isArray(publicKeys) || publicKeys.length === 0) {
    throw new ProvisioningError('INVALID_OPTION', 'The "publicKeys" option must list at least one key', { hint: 'set [distribution.signing] public_keys' });
  }
  let sigText: string;
  try {
    sigText = await readFile(signatureFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ProvisioningError('SIGNATURE_MISSING', `Cannot verify "${file}": no signature at "${signatureFile}"`, {
        file: signatureFile,
        hint: 'sign it with --sign, or publish the .minisig beside it',
      });
    }
    throw error;
  }
  const sig = parseSignature(sigText, signatureFile);
  const keys: PublicKey[] = await Promise.all(publicKeys.map((k) => loadPublicKey(k)));
  const id = keyIdHex(sig.keyId);
  const key = keys.find((k) => keyIdHex(k.keyId) === id);
  const invalid = (reason: string, hint?: string): ProvisioningError =>
    new ProvisioningError('SIGNATURE_INVALID', `Cannot verify "${file}": ${reason}`, { file: signatureFile, ...(hint === undefined ? {} : { hint }) });
  if (key === undefined) {
    throw invalid(
      `signed by unknown key ${id}`,
      `trusted keys are ${keys.map((k) => keyIdHex(k.keyId)).join(', ')}; add the public key ${id} to [distribution.signing] public_keys if you trust it`,
    );
  }
  let message: Uint8Array;
  try {
    message = sig.prehashed ? await blake2b512File(file) : new Uint8Array(await readFile(file));
  } catch (error) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot verify "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file, cause: error });
  }
  const publicKey = publicKeyFromRaw(key.publicKey);
  if (!verifyRaw(publicKey, message, sig.signature)) {
    throw invalid(`the signature does not match the file (key ${id})`, 'the file or its .minisig was altered, or they do not belong together');
  }
  const signedComment = Buffer.concat([sig.signature, Buffer.from(sig.trustedComment, 'utf8')]);
  if (!verifyRaw(publicKey, signedComment, sig.globalSignature)) throw invalid(`the trusted comment's signature does not match (key ${id})`, 'the trusted comment was altered');
  const named = signedFileName(sig.trustedComment);
  if (signedName !== undefined && named !== undefined && named !== signedName) {
    throw invalid(`it was signed as "${named}", not "${signedName}" (key ${id})`, 'another file and its signature were put under this name');
  }
  return { keyId: id, trustedComment: sig.trustedComment, prehashed: sig.prehashed };
}
