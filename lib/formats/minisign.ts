/**
 * minisign's three text formats (https://jedisct1.github.io/minisign/): public key,
 * secret key and signature. Each is an `untrusted comment:` line then base64 of a fixed
 * binary layout; key ids are 8 random bytes, shown as upper-case hex of their little-endian
 * value. Parsing is strict: wrong length, algorithm or base64 is KEY_INVALID / SIGNATURE_INVALID.
 */
import { ProvisioningError } from '../errors.ts';
// BLAKE2b-256 for the secret-key checksum: node:crypto only has the fixed 512-bit variant, and a
// 256-bit BLAKE2b is not a truncated 512-bit one (the length is part of its parameter block).
import { blake2b } from '@noble/hashes/blake2.js';

export const UNTRUSTED_PREFIX = 'untrusted comment: ';
export const TRUSTED_PREFIX = 'trusted comment: ';
const SIG_ALG = Buffer.from('Ed');
const SIG_ALG_HASHED = Buffer.from('ED');
const KDF_NONE = Buffer.from([0, 0]);
const KDF_SCRYPT = Buffer.from('Sc');
const CHK_ALG = Buffer.from('B2');
const SECRET_KEY_LENGTH = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;

export interface PublicKey {
  /** 8 bytes, as stored. */
  keyId: Uint8Array;
  /** 32 raw Ed25519 bytes. */
  publicKey: Uint8Array;
}

export interface SecretKey {
  keyId: Uint8Array;
  /** libsodium's 64-byte secret key: seed (32) then public key (32). */
  secretKey: Uint8Array;
}

export interface Signature {
  /** true for `ED` (BLAKE2b-512 prehash, the default), false for legacy `Ed`. */
  prehashed: boolean;
  keyId: Uint8Array;
  signature: Uint8Array;
  untrustedComment: string;
  trustedComment: string;
  globalSignature: Uint8Array;
}

/** `5C1554A425F3B7A4`: how minisign prints a key id (little-endian u64, upper-case hex). */
export function keyIdHex(keyId: Uint8Array): string {
  return Buffer.from(keyId).reverse().toString('hex').toUpperCase();
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  return Buffer.from(trimmed, 'base64');
}

function lines(text: string): string[] {
  return text.replace(/\r\n/g, '\n').split('\n');
}

/**
 * Reads a public key from a `.pub` file's text, or from the bare base64 line alone
 * (what `minisign -P` takes).
 */
export function parsePublicKey(text: string, source = 'public key'): PublicKey {
  const all = lines(text.trim());
  const b64 = all[0]?.startsWith(UNTRUSTED_PREFIX) ? all[1] : all.length === 1 ? all[0] : undefined;
  const raw = b64 === undefined ? undefined : decodeBase64(b64);
  if (raw === undefined || raw.length !== 42 || !raw.subarray(0, 2).equals(SIG_ALG)) {
    throw new ProvisioningError('KEY_INVALID', `Cannot read public key "${source}": not a minisign Ed25519 public key`, {
      hint: 'expected "untrusted comment: …" then one base64 line, as written by `minisign -G` or pack:keygen',
    });
  }
  return { keyId: new Uint8Array(raw.subarray(2, 10)), publicKey: new Uint8Array(raw.subarray(10, 42)) };
}

export function formatPublicKey({ keyId, publicKey }: PublicKey): string {
  const raw = Buffer.concat([SIG_ALG, keyId, publicKey]);
  return `${UNTRUSTED_PREFIX}minisign public key ${keyIdHex(keyId)}\n${raw.toString('base64')}\n`;
}

/** BLAKE2b-256 over sig_alg ‖ key id ‖ secret key: minisign's `seckey_compute_chk`. */
function checksum(keyId: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return blake2b(Buffer.concat([SIG_ALG, keyId, secretKey]), { dkLen: 32 });
}

/**
 * Reads an unencrypted secret key (`minisign -G -W`, or ours). A password-protected one is
 * refused with a hint: decrypting needs a prompt, which a build task cannot show.
 */
export function parseSecretKey(text: string, source = 'secret key', file?: string): SecretKey {
  const all = lines(text.trim());
  const raw = all[0]?.startsWith(UNTRUSTED_PREFIX) && all[1] !== undefined ? decodeBase64(all[1]) : undefined;
  const invalid = (reason: string, hint?: string): ProvisioningError =>
    new ProvisioningError('KEY_INVALID', `Cannot read secret key "${source}": ${reason}`, hint === undefined ? {} : { hint });
  if (raw === undefined || raw.length !== SECRET_KEY_LENGTH || !raw.subarray(0, 2).equals(SIG_ALG)) {
    throw invalid('not a minisign Ed25519 secret key');
  }
  if (!raw.subarray(4, 6).equals(CHK_ALG)) throw invalid('unsupported checksum algorithm');
  const kdf = raw.subarray(2, 4);
  if (kdf.equals(KDF_SCRYPT)) {
    // The command names the key's file: minisign changes a file, not a text held in memory.
    const fix = file === undefined
      ? 'remove the password from the key file it came from once (`minisign -C -W -s <key file>`)'
      : `remove the password once with \`minisign -C -W -s ${file}\``;
    throw invalid('it is password-protected', `${fix}, or make a key with \`npx gulp pack:keygen\``);
  }
  if (!kdf.equals(KDF_NONE)) throw invalid('unsupported key derivation function');
  const keyId = new Uint8Array(raw.subarray(54, 62));
  const secretKey = new Uint8Array(raw.subarray(62, 126));
  const stored = raw.subarray(126, 158);
  // minisign itself writes an all-zero checksum for unencrypted keys (and never checks it);
  // a non-zero one, as we write, must match.
  if (stored.some((b) => b !== 0) && !stored.equals(checksum(keyId, secretKey))) throw invalid('checksum mismatch (corrupted key)');
  return { keyId, secretKey };
}

/** An unencrypted secret key file (kdf "\0\0", opslimit/memlimit 0, keynum_sk in clear). */
export function formatSecretKey({ keyId, secretKey }: SecretKey): string {
  const raw = Buffer.concat([
    SIG_ALG,
    KDF_NONE,
    CHK_ALG,
    Buffer.alloc(32 + 8 + 8), // kdf salt, opslimit, memlimit: unused without a password
    keyId,
    secretKey,
    checksum(keyId, secretKey),
  ]);
  return `${UNTRUSTED_PREFIX}minisign unencrypted secret key\n${raw.toString('base64')}\n`;
}

/**
 * The `file:<name>` field of a trusted comment (minisign writes `timestamp:<n>\tfile:<name>`,
 * newer versions add `\thashed`), or undefined when the comment has none.
 */
export function signedFileName(trustedComment: string): string | undefined {
  const field = trustedComment.split('\t').find((part) => part.startsWith('file:'));
  return field === undefined ? undefined : field.slice('file:'.length);
}

export function parseSignature(text: string, source = 'signature'): Signature {
  const all = lines(text);
  const invalid = (reason: string): ProvisioningError => new ProvisioningError('SIGNATURE_INVALID', `Cannot read signature "${source}": ${reason}`);
  const [untrusted, sigLine, trusted, globalLine] = all;
  if (untrusted === undefined || !untrusted.startsWith(UNTRUSTED_PREFIX)) throw invalid('first line must start with "untrusted comment:"');
  if (trusted === undefined || !trusted.startsWith(TRUSTED_PREFIX)) throw invalid('third line must start with "trusted comment:"');
  const sig = sigLine === undefined ? undefined : decodeBase64(sigLine);
  const global = globalLine === undefined ? undefined : decodeBase64(globalLine);
  if (sig === undefined || sig.length !== 74) throw invalid('the signature line is not a minisign signature');
  if (global === undefined || global.length !== 64) throw invalid('the global signature line is missing or malformed');
  const alg = sig.subarray(0, 2);
  if (!alg.equals(SIG_ALG) && !alg.equals(SIG_ALG_HASHED)) throw invalid(`unsupported algorithm "${alg.toString('latin1')}"`);
  return {
    prehashed: alg.equals(SIG_ALG_HASHED),
    keyId: new Uint8Array(sig.subarray(2, 10)),
    signature: new Uint8Array(sig.subarray(10, 74)),
    untrustedComment: untrusted.slice(UNTRUSTED_PREFIX.length),
    // minisign trims trailing whitespace/newlines from the comment before checking it.
    trustedComment: trusted.slice(TRUSTED_PREFIX.length).replace(/[\r\n]+$/, ''),
    globalSignature: new Uint8Array(global),
  };
}

export function formatSignature(sig: Signature): string {
  const alg = sig.prehashed ? SIG_ALG_HASHED : SIG_ALG;
  return [
    UNTRUSTED_PREFIX + sig.untrustedComment,
    Buffer.concat([alg, sig.keyId, sig.signature]).toString('base64'),
    TRUSTED_PREFIX + sig.trustedComment,
    Buffer.from(sig.globalSignature).toString('base64'),
    '',
  ].join('\n');
}
