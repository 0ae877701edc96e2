/** Vendoring: pin a verified pack into an infra, and check vendored copies later. */
export { vendoredDigests } from './drift-check.ts';
export { assertRange, fetchVerifiedPack, type FetchedPack, type FetchPackOptions } from './fetch-pack.ts';
export { vendoredKey, vendoredVersions } from './in-use.ts';
export { vendorProvider, type VendorOptions, type VendorResult } from './vendor.ts';
export { assertVendoredIntact, inspectVendoredCopy, type AssertIntactOptions, type InspectVendoredOptions, type VendoredCopy } from './vendored-copy.ts';
