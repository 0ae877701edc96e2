/**
 * Which of a module's files a pack exports to JSON, and where each export goes. Shared by the
 * pack build, the nickelExport plugin and `watch`, so all three export the same files.
 */
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';

/** `server_aws.ncl` → `export/server_aws.json`. */
export function exportPathFor(rel: string): string {
  return `export/${path.posix.basename(rel).replace(/\.ncl$/, '')}.json`;
}

/**
 * With `exports` (`[package] exports`), those it lists (a leading `./` ignored) that are files of
 * the module; else every top-level `*.ncl`. A listed name that is no file of the module
 * (`../x.ncl`, `/etc/passwd`) is never run, only reported missing.
 */
export function exportSelector(exports: readonly string[] | undefined): { wanted: Set<string> | undefined; isExported(rel: string): boolean } {
  const wanted = exports ? new Set(exports.map((e) => e.replace(/^\.\//, ''))) : undefined;
  return { wanted, isExported: (rel) => (wanted ? wanted.has(rel) : !rel.includes('/') && rel.endsWith('.ncl')) };
}

/** EXPORT_FAILED for names `[package] exports` lists that are no file of the module (`where`). */
export function missingExports(wanted: Set<string> | undefined, seen: ReadonlySet<string>, where: string): ProvisioningError | undefined {
  const missing = wanted ? [...wanted].filter((rel) => !seen.has(rel)) : [];
  if (missing.length === 0) return undefined;
  return new ProvisioningError('EXPORT_FAILED', `Cannot export ${missing.map((m) => `"${m}"`).join(', ')}: listed in exports but not found in ${where}`, { file: where });
}
