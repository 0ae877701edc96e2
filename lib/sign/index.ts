/** minisign-compatible signing: keys, `.minisig` files, verification. */
export { generateKeyPair, writeKeyPair, loadPublicKey, loadSecretKey, type KeyPairText, type WriteKeyPairOptions, type WrittenKeyPair } from './keys.ts';
export { signFile, type SignFileOptions, type SignFileResult } from './sign-file.ts';
export { verifyFile, type VerifyFileOptions, type VerifiedSignature } from './verify-file.ts';
export { keyIdHex, parsePublicKey, parseSignature } from '../formats/minisign.ts';
