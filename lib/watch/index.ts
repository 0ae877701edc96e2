export { type Change, classify, infrasUsing } from './affected.ts';
export type { Checked, ExportProvider, ValidateInfra, WatchResult } from './check.ts';
export { formatResult } from './format.ts';
export { type WatchHandle, watchProviders, type WatchProvidersOptions } from './watch-providers.ts';
export { type FileWatcher, watchDir, type WatchDirOptions } from './watcher.ts';
