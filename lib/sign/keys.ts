/**
 * Key pairs in minisign's format. The secret key is written UNENCRYPTED (as `minisign -G -W`
 * does): signing runs in build tasks and CI, where nobody can type a password. Protect it with
 * file permissions (written 0600) or a secret store; `minisign -S -s provisioning.key` uses it
 * as is, and `minisign -C -s provisioning.key` can add a password for manual use (we then refuse it).
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { tempPathFor, writeFileAtomic } from '../fs/atomic.ts';
import { generateRawKeyPair, privateKeyFromSeed, rawPublicKeyOf } from './ed25519.ts';
import { formatPublicKey, formatSecretKey, keyIdHex, parsePublicKey, parseSecretKey, type PublicKey, type SecretKey } from '../formats/minisign.ts';

export interface KeyPairText {
  /** `.pub` file content. */
  publicKey: string;
  /** Unencrypted secret key file content: keep it secret. */
  secretKey: string;
  /** The key id as minisign prints it, e.g. `5C1554A425F3B7A4`. */
  keyId: string;
}

/** A fresh Ed25519 key pair with a random 8-byte key id, as minisign key file texts. */
export function generateKeyPair(): KeyPairText {
  const { seed, publicKey } = generateRawKeyPair();
  const keyId = new Uint8Array(randomBytes(8));
  return {
    publicKey: formatPublicKey({ keyId, publicKey }),
    secretKey: formatSecretKey({ keyId, secretKey: Buffer.concat([seed, publicKey]) }),
    keyId: keyIdHex(keyId),
  };
}

export interface WriteKeyPairOptions {
  /** Folder for the two files; created when missing. Required. */
  dir: string;
  /** File stem: `<name>.key` and `<name>.pub`. Default `provisioning`. */
  name?: string;
  /** Replace an existing pair. Default false: an existing file is KEY_EXISTS. */
  force?: boolean;
}

export interface WrittenKeyPair {
  publicKeyFile: string;
  secretKeyFile: string;
  keyId: string;
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, () => false);
}

/** Writes `data` to `file` atomically, failing with EEXIST if it appeared meanwhile (link never clobbers). */
async function writeNew(file: string, data: string, mode: number): Promise<void> {
  const tmp = tempPathFor(file);
  await writeFileAtomic(tmp, data, { mode });
  try {
    await link(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Writes `<dir>/<name>.key` (mode 0600) and `<dir>/<name>.pub`, each atomically. Without
 * `force` an existing file of either name is KEY_EXISTS and nothing is written.
 */
export async function writeKeyPair({ dir, name = 'provisioning', force = false }: WriteKeyPairOptions): Promise<WrittenKeyPair> {
  if (typeof dir !== 'string' || dir === '') throw new ProvisioningError('INVALID_OPTION', 'The "dir" option must be a non-empty string');
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new ProvisioningError('INVALID_OPTION', `The "name" option must be a plain file stem, got ${JSON.stringify(name)}`);
  }
  const secretKeyFile = path.resolve(dir, `${name}.key`);
  const publicKeyFile = path.resolve(dir, `${name}.pub`);
  const keyExists = (file: string): ProvisioningError =>
    new ProvisioningError('KEY_EXISTS', `Cannot write key "${file}": it already exists`, {
      file,
      hint: 'pass --force to replace the key pair (signatures made with the old key will no longer verify with the new one)',
    });
  if (!force) {
    for (const file of [secretKeyFile, publicKeyFile]) if (await exists(file)) throw keyExists(file);
  }
  await mkdir(path.dirname(secretKeyFile), { recursive: true });
  const pair = generateKeyPair();
  if (force) {
    await writeFileAtomic(secretKeyFile, pair.secretKey, { mode: 0o600 });
    await writeFileAtomic(publicKeyFile, pair.publicKey, { mode: 0o644 });
  } else {
    for (const [file, data, mode] of [[secretKeyFile, pair.secretKey, 0o600], [publicKeyFile, pair.publicKey, 0o644]] as const) {
      try {
        await writeNew(file, data, mode);
      } catch (error) {
        if (file === publicKeyFile) await rm(secretKeyFile, { force: true }); // no half pair left behind
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw keyExists(file);
        throw error;
      }
    }
  }
  return { publicKeyFile, secretKeyFile, keyId: pair.keyId };
}

/** Key text (a `.pub` file's content or the bare `RW…` line) rather than a path. */
export function looksLikeKeyText(value: string): boolean {
  return value.includes('\n') || /^RW[A-Za-z0-9+/]{54}$/.test(value.trim());
}

/** A public key from a file path or from key text. */
export async function loadPublicKey(fileOrText: string): Promise<PublicKey> {
  if (looksLikeKeyText(fileOrText)) return parsePublicKey(fileOrText);
  let text: string;
  try {
    text = await readFile(fileOrText, 'utf8');
  } catch (error) {
    throw new ProvisioningError('KEY_INVALID', `Cannot read public key "${fileOrText}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      file: fileOrText,
      cause: error,
    });
  }
  return parsePublicKey(text, fileOrText);
}

/** A secret key file's text; a missing or unreadable file is KEY_INVALID naming it. */
export async function readSecretKeyFile(secretKeyFile: string): Promise<string> {
  try {
    return await readFile(secretKeyFile, 'utf8');
  } catch (error) {
    throw new ProvisioningError('KEY_INVALID', `Cannot read secret key "${secretKeyFile}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      file: secretKeyFile,
      hint: 'create one with `npx gulp pack:keygen`, or set [distribution.signing] secret_key',
      cause: error,
    });
  }
}

/**
 * A secret key from its text (wins) or its file, checked to be a consistent Ed25519 pair.
 * Problems name the file whenever one is given, also when its text was read already.
 */
export async function loadSecretKey({ secretKeyFile, secretKeyText }: { secretKeyFile?: string; secretKeyText?: string }): Promise<SecretKey> {
  if (secretKeyText === undefined && secretKeyFile === undefined) {
    throw new ProvisioningError('INVALID_OPTION', 'One of the "secretKeyFile" or "secretKeyText" options is required');
  }
  const text = secretKeyText ?? (await readSecretKeyFile(secretKeyFile!));
  // Named by its file when there is one; a key given as text has no path to show.
  const source = secretKeyFile ?? 'given as secretKeyText';
  const key = parseSecretKey(text, source, secretKeyFile);
  const derived = rawPublicKeyOf(privateKeyFromSeed(key.secretKey.subarray(0, 32)));
  if (!Buffer.from(derived).equals(Buffer.from(key.secretKey.subarray(32)))) {
    throw new ProvisioningError('KEY_INVALID', `Cannot read secret key "${source}": its public half does not match its seed (corrupted key)`);
  }
  return key;
}
