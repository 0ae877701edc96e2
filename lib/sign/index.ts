/** minisign-compatible signing: keys, `.minisig` files, verification. */
export { generateKeyPair, type KeyPairText, loadPublicKey, loadSecretKey, writeKeyPair, type WriteKeyPairOptions, type WrittenKeyPair } from './keys.ts';
export { signFile, type SignFileOptions, type SignFileResult } from './sign-file.ts';
export { type VerifiedSignature, verifyFile, type VerifyFileOptions } from './verify-file.ts';
export { keyIdHex, parsePublicKey, parseSignature } from '../formats/minisign.ts';
