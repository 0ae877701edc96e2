/** Safe pack extraction and per-file digests. */
export { extractPack, type ExtractPackOptions, type ExtractedPack } from './extract-pack.ts';
export { compareDigests, hashFolder, NOT_A_FILE, sameDigests, type DigestDifferences, type HashFolderOptions } from './hash-folder.ts';
export { PACK_MANIFEST, parsePackManifest, type PackManifest } from '../formats/pack-json.ts';
