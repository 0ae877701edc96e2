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
export { isProvisioningError, ProblemsError, ProvisioningError, toProblem, type ErrorCode, type ErrorDetails, type Problem } from './lib/errors.ts';
export { assertName, moduleName, NAME_PATTERN } from './lib/names.ts';
export { closest, suggestion } from './lib/did-you-mean.ts';

// Root and configuration
export { resolveRoot, type ResolveRootOptions } from './lib/tree/root.ts';
export { loadConfig, mergeConfig, type LoadConfigOptions } from './lib/config/load.ts';
export type { Config, Language, LanguageConfig } from './lib/config/types.ts';

// Providers and infras
export { discoverProviders, findProvider, LANGUAGES, type DiscoverOptions, type Provider } from './lib/tree/providers.ts';
export { listProviders, type ListProvidersOptions, type ProviderList, type ProviderRow } from './lib/providers/list.ts';
export { providerInfo, type ProviderInfo, type ProviderInfoOptions } from './lib/providers/info.ts';
export { findInfra, listInfras, type Infra } from './lib/tree/infras.ts';

// Module loader: install, remove, installed, validate, sync
export { installProvider, type InstallOptions, type InstallResult } from './lib/infra/install.ts';
export { removeProvider, type RemoveOptions, type RemoveResult } from './lib/infra/remove.ts';
export { listInstalled, type InstalledOptions, type InstalledRow } from './lib/infra/installed.ts';
export { validateInfras, type InfraReport, type ValidateOptions, type ValidateResult } from './lib/infra/validate.ts';
export type { Findings, RecordCheck, RecordContext } from './lib/infra/check-record.ts';
export { syncInfras, type SyncOptions, type SyncReport } from './lib/infra/sync.ts';

// Packs
export {
  assertVersion,
  buildTar,
  cleanPacks,
  CORE_STEM,
  coreTarget,
  exportPlan,
  findBinary,
  listPacks,
  nickelExportFile,
  packAll,
  packModule,
  providerTarget,
  readMetadata,
  type CleanEntry,
  type CleanPacksOptions,
  type ExportPlan,
  type ListPacksOptions,
  type PackAllOptions,
  type PackAllResult,
  type PackMetadata,
  type PackModuleOptions,
  type PackResult,
  type PackRow,
  type PackTarget,
} from './lib/pack/index.ts';
export { packSettings, planner, type PackSettings, type PackSettingsOptions } from './lib/pack/from-config.ts';

// Gulp plugins (file transforms only)
export { exportPathFor, nickelExport, packJson, reproducibleTar, type NickelExportOptions, type ReproducibleTarOptions } from './lib/plugins/index.ts';

// Signing, archives, registries
export { generateKeyPair, loadPublicKey, loadSecretKey, signFile, verifyFile, writeKeyPair, type SignFileOptions, type VerifyFileOptions } from './lib/sign/index.ts';
export { compareDigests, extractPack, hashFolder, parsePackManifest, type ExtractedPack, type ExtractPackOptions, type PackManifest } from './lib/archive/index.ts';
export { listRegistry, OciClient, parseRegistry, PublishIncomplete, publishPacks, verifyPacks, type ListRegistryOptions, type PublishOptions, type PublishResult, type RegistryRef, type RegistryRow, type VerifyPacksOptions, type VerifyPacksResult } from './lib/registry/index.ts';

// Testing packs before they ship: extracted alone, imports resolved, exports made again
export { packTest, testPacks, type CheckStatus, type TestedPack, type TestPacksOptions, type TestPacksResult } from './lib/pack-test/test-packs.ts';

// Vendoring (production): a verified pack pinned into an infra
export { vendorProvider, type VendorOptions, type VendorResult } from './lib/infra/vendor.ts';

// Watch mode
export { formatResult, watchProviders, type WatchHandle, type WatchProvidersOptions, type WatchResult } from './lib/watch/index.ts';

// Output helpers, for tasks of your own that print like ours
export { render, renderTable, type Column, type OutputFormat } from './lib/output/format.ts';
