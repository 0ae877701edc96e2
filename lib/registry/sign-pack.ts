/**
 * Signing while packing: the `afterPack` hook of lib/pack. Every pack written, and every pack
 * found up to date whose `.minisig` is missing or no longer matches (an older key, a replaced
 * tar), gets a fresh signature, written atomically beside it. What is signed is always the bytes
 * this run built from the sources (`verifiedBytes`), never merely whatever the file on disk holds:
 * otherwise anyone able to write distribution/ could get their own tar signed with the release key.
 */
import path from 'node:path';
import type { AfterPackContext, PackResult } from '../pack/pack-module.ts';
import { formatPublicKey } from '../formats/minisign.ts';
import { loadSecretKey, readSecretKeyFile } from '../sign/keys.ts';
import { signFile } from '../sign/sign-file.ts';
import { verifyFile } from '../sign/verify-file.ts';
import { SIGNATURE_SUFFIX } from './layout.ts';

export interface PackSignerOptions {
  /** The unencrypted minisign secret key (`[distribution.signing] secret_key`). Required. */
  secretKeyFile: string;
  /** Called once per signature written. Default none. */
  onSigned?: (result: PackResult, signatureFile: string) => void;
}

export type PackSigner = (result: PackResult, context: AfterPackContext) => Promise<void>;

/**
 * Loads and checks the key once, before anything is packed (a missing or broken key fails the
 * task before any tar is written), and returns the hook that signs each pack.
 */
export async function packSigner({ secretKeyFile, onSigned }: PackSignerOptions): Promise<PackSigner> {
  const secretKeyText = await readSecretKeyFile(secretKeyFile);
  const key = await loadSecretKey({ secretKeyFile, secretKeyText });
  const ownPublicKey = formatPublicKey({ keyId: key.keyId, publicKey: key.secretKey.subarray(32) });
  return async (result, { verifiedBytes }) => {
    const signatureFile = result.file + SIGNATURE_SUFFIX;
    if (result.status === 'up-to-date') {
      const valid = await verifyFile({ file: result.file, signatureFile, publicKeys: [ownPublicKey], signedName: path.basename(result.file) }).then(() => true, () => false);
      if (valid) return;
    }
    // PACK_EXISTS when the tar on disk is not what the sources build: nothing is signed.
    const data = await verifiedBytes();
    await signFile({ file: result.file, secretKeyFile, secretKeyText, signatureFile, data });
    onSigned?.(result, signatureFile);
  };
}
