/**
 * Ties a fetched `.minisig` to the pack it is published beside. minisign's trusted comment names
 * the file it signed (`file:aws_prov_0.2.0.tar`); another version's tar and signature, renamed
 * under this version's name, verify cryptographically but name the other file. The comment is
 * read here without the key: the signature check that follows (verifyFile) proves it authentic,
 * so together they refuse the swap. A comment without `file:` is accepted.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { parseSignature, signedFileName } from '../formats/minisign.ts';

export async function assertSignedName(signatureFile: string, packageFile: string, shown: string): Promise<void> {
  const sig = parseSignature(await readFile(signatureFile, 'utf8'), shown);
  const named = signedFileName(sig.trustedComment);
  const expected = path.posix.basename(packageFile.split(path.sep).join('/'));
  if (named !== undefined && named !== expected) {
    throw new ProvisioningError('SIGNATURE_INVALID', `Cannot verify "${shown}": it was signed as "${named}", not "${expected}"`, {
      hint: 'another file and its signature were put under this name',
    });
  }
}
