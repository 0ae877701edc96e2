/**
 * Ed25519 with raw key bytes, as minisign stores them, over node:crypto's KeyObjects.
 * node:crypto takes keys as DER, so raw bytes are wrapped in the fixed PKCS#8 / SPKI prefixes
 * for Ed25519 (RFC 8410); Node and Deno both accept those.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A private key from its 32-byte seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** A public key from its 32 raw bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The 32 raw bytes of the public key belonging to `privateKey`. */
export function rawPublicKeyOf(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** A fresh pair as raw bytes: the 32-byte seed and the 32-byte public key. */
export function generateRawKeyPair(): { seed: Uint8Array; publicKey: Uint8Array } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { seed: new Uint8Array(der.subarray(PKCS8_PREFIX.length)), publicKey: rawPublicKeyOf(privateKey) };
}

export function signRaw(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey));
}

export function verifyRaw(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === 64 && verify(null, message, publicKey, signature);
}
