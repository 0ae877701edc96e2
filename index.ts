/**
 * provider-distribution as a library: what the gulp tasks do, as plain async functions and
 * gulp plugins, for your own gulpfile or script.
 *
 *   import gulp from 'gulp';
 *   import { loadConfig, resolveRoot, installProvider, validateInfras, reproducibleTar } from 'provider-distribution';
 *
 * Every function takes one options object and throws a ProvisioningError with a stable `code`;
 * validators return `{ errors, warnings }` instead of throwing. Plugins never touch the file
 * system outside their stream and emit a PluginError. See README "Using it from your own gulpfile".
 */

// Errors and names
export { type ErrorCode, type ErrorDetails, isProvisioningError, type Problem, ProblemsError, ProvisioningError, toProblem } from './lib/errors.ts';
export { assertName, moduleName, NAME_PATTERN } from './lib/names.ts';
export { closest, suggestion } from './lib/did-you-mean.ts';

// Root and configuration
export { resolveRoot, type ResolveRootOptions } from './lib/tree/root.ts';
export { loadConfig, type LoadConfigOptions, mergeConfig } from './lib/config/load.ts';
export type { Config, Language, LanguageConfig } from './lib/config/types.ts';

// Providers and infras
export { type DiscoverOptions, discoverProviders, findProvider, LANGUAGES, type Provider } from './lib/tree/providers.ts';
export { listProviders, type ListProvidersOptions, type ProviderList, type ProviderRow } from './lib/providers/list.ts';
export { type ProviderInfo, providerInfo, type ProviderInfoOptions } from './lib/providers/info.ts';
export { findInfra, type Infra, listInfras } from './lib/tree/infras.ts';

// Module loader: install, remove, installed, validate, sync
export { type InstallOptions, installProvider, type InstallResult } from './lib/infra/install.ts';
export { type RemoveOptions, removeProvider, type RemoveResult } from './lib/infra/remove.ts';
export { type InstalledOptions, type InstalledRow, listInstalled } from './lib/infra/installed.ts';
export { type InfraReport, validateInfras, type ValidateOptions, type ValidateResult } from './lib/infra/validate.ts';
export type { Findings, RecordCheck, RecordContext } from './lib/infra/check-record.ts';
export { syncInfras, type SyncOptions, type SyncReport } from './lib/infra/sync.ts';

// Packs
export {
  assertVersion,
  buildTar,
  type CleanEntry,
  cleanPacks,
  type CleanPacksOptions,
  CORE_STEM,
  coreTarget,
  type ExportPlan,
  exportPlan,
  findBinary,
  listPacks,
  type ListPacksOptions,
  nickelExportFile,
  packAll,
  type PackAllOptions,
  type PackAllResult,
  type PackMetadata,
  packModule,
  type PackModuleOptions,
  type PackResult,
  type PackRow,
  type PackTarget,
  providerTarget,
  readMetadata,
} from './lib/pack/index.ts';
export { type PackSettings, packSettings, type PackSettingsOptions, planner } from './lib/pack/from-config.ts';

// Gulp plugins (file transforms only)
export { exportPathFor, nickelExport, type NickelExportOptions, packJson, reproducibleTar, type ReproducibleTarOptions } from './lib/plugins/index.ts';

// Signing, archives, registries
export { generateKeyPair, loadPublicKey, loadSecretKey, signFile, type SignFileOptions, verifyFile, type VerifyFileOptions, writeKeyPair } from './lib/sign/index.ts';
export { compareDigests, type ExtractedPack, extractPack, type ExtractPackOptions, hashFolder, type PackManifest, parsePackManifest } from './lib/archive/index.ts';
export {
  listRegistry,
  type ListRegistryOptions,
  OciClient,
  parseRegistry,
  PublishIncomplete,
  type PublishOptions,
  publishPacks,
  type PublishResult,
  type RegistryRef,
  type RegistryRow,
  verifyPacks,
  type VerifyPacksOptions,
  type VerifyPacksResult,
} from './lib/registry/index.ts';

// Testing packs before they ship: extracted alone, imports resolved, exports made again
export { type CheckStatus, packTest, type TestedPack, testPacks, type TestPacksOptions, type TestPacksResult } from './lib/pack-test/test-packs.ts';

// Vendoring (production): a verified pack pinned into an infra
export { type VendorOptions, vendorProvider, type VendorResult } from './lib/infra/vendor.ts';

// Watch mode
export { formatResult, type WatchHandle, watchProviders, type WatchProvidersOptions, type WatchResult } from './lib/watch/index.ts';

// Output helpers, for tasks of your own that print like ours
export { type Column, type OutputFormat, render, renderTable } from './lib/output/format.ts';
