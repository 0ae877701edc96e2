export { classify, infrasUsing, type Change } from './affected.ts';
export type { Checked, ExportProvider, ValidateInfra, WatchResult } from './check.ts';
export { formatResult } from './format.ts';
export { watchProviders, type WatchHandle, type WatchProvidersOptions } from './watch-providers.ts';
export { watchDir, type FileWatcher, type WatchDirOptions } from './watcher.ts';
