/** The pack library: everything `tasks/pack.ts` uses, for scripts that want it without gulp. */
export { buildPack } from './build.ts';
export { type CleanEntry, cleanPacks, type CleanPacksOptions, parsePackFile } from './clean.ts';
export { type ExportMode, type ExportPlan, exportPlan, type ExportPlanOptions } from './export-plan.ts';
export { listPacks, type ListPacksOptions, type PackRow } from './list.ts';
export { buildMetadata, formatCreated, type PackMetadata, readMetadata, type VersionRecord } from '../formats/metadata.ts';
export { findBinary, nickelExportFile } from './nickel.ts';
export { type LazyTarget, packAll, type PackAllOptions, type PackAllResult, type PackEvent } from './pack-all.ts';
export { packModule, type PackModuleOptions, type PackResult, type PackStatus } from './pack-module.ts';
export { createProgress } from './progress.ts';
export { FIXED_MTIME, isJunk, packMtime } from './rules.ts';
export { buildTar, type TarEntry } from '../formats/tar/write.ts';
export { CORE_STEM, coreTarget, type PackTarget, providerTarget } from './target.ts';
export { assertVersion } from '../versions.ts';
