/** Distribution artefacts beyond packing: signing hook, verification, publishing, pack sources. */
export { type FileIntegrity, fileIntegrity } from '../formats/integrity.ts';
export { buildIndex, writeIndex } from './index-file.ts';
export type { IndexVersion, RegistryIndex } from '../formats/registry-index.ts';
export { INDEX_FILE, METADATA_DIR, PACKAGES_DIR, SIGNATURE_SUFFIX } from './layout.ts';
export { type PublishedPack, type PublishOptions, publishPacks, type PublishResult } from './publish.ts';
export { PublishIncomplete } from './published.ts';
export { type PackSigner, packSigner, type PackSignerOptions } from './sign-pack.ts';
export { plainHttpWarning } from './insecure.ts';
export { directorySource, localPackageFile, localSource, type PackSource, packSource } from './source.ts';
export { type VerifiedPack, verifyPacks, type VerifyPacksOptions, type VerifyPacksResult } from './verify.ts';
export { listRegistry, type ListRegistryOptions, type RegistryRow } from './list.ts';
export { parseRegistry, type RegistryRef } from './ref.ts';
export { OciClient, type OciClientOptions } from './oci/client.ts';
