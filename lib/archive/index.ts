/** Safe pack extraction and per-file digests. */
export { type ExtractedPack, extractPack, type ExtractPackOptions } from './extract-pack.ts';
export { compareDigests, type DigestDifferences, hashFolder, type HashFolderOptions, NOT_A_FILE, sameDigests } from './hash-folder.ts';
export { PACK_MANIFEST, type PackManifest, parsePackManifest } from '../formats/pack-json.ts';
