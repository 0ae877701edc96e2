import { parse as parseForPatch, patch } from '@decimalturn/toml-patch';
import { ProvisioningError } from '../../errors.ts';
import { canonical, editDependencyText } from './dependency-text.ts';
import { parseToml } from './parse.ts';

type Table = Record<string, unknown>;

/**
 * An infra's `manifest.toml`, held as its original text. An edit of one dependency is a text
 * edit of its one line (see dependency-text.ts), checked by parsing the result again; shapes
 * that edit does not handle go through toml-patch's `patch(existing, updated)`, which rewrites
 * only the keys that changed but re-spaces comments (a tab before `#` becomes a space) and
 * places a new key after the comments that close a table.
 */
export interface TomlManifest {
  /** Path shown in problems (root-relative or absolute). */
  file: string;
  /** The file's bytes as read; `''` when it does not exist yet. */
  text: string;
  exists: boolean;
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** Reads `text` as an infra manifest; `MANIFEST_PARSE` at file:line:column when it is not TOML. */
export function parseManifest(text: string, file: string, exists = true): TomlManifest {
  parseToml(text, file); // smol-toml reports line and column; toml-patch's errors do not
  const manifest: TomlManifest = { file, text, exists };
  dependencies(manifest); // refuses a `dependencies` key that is not a table, before any edit
  return manifest;
}

function data(manifest: TomlManifest): Table {
  try {
    return parseForPatch(manifest.text) as Table;
  } catch (error) {
    throw new ProvisioningError('MANIFEST_PARSE', `Cannot parse "${manifest.file}": ${(error as Error).message.split('\n')[0]}`, {
      file: manifest.file,
      cause: error,
    });
  }
}

function dependencies(manifest: TomlManifest): Table | undefined {
  const deps = data(manifest).dependencies;
  if (deps === undefined) return undefined;
  if (!isTable(deps)) {
    throw new ProvisioningError('MANIFEST_INVALID', `Cannot use "${manifest.file}": [dependencies] must be a table`, { file: manifest.file });
  }
  return deps;
}

/** True when the manifest has a `[dependencies]` table (possibly empty). */
export function hasDependenciesTable(manifest: TomlManifest): boolean {
  return dependencies(manifest) !== undefined;
}

/** The `[dependencies]` entries, as plain data (toml-patch's tables are class instances). */
export function listDependencies(manifest: TomlManifest): Table {
  return structuredClone({ ...dependencies(manifest) });
}

/** `[dependencies] <module>` as plain data, or undefined. */
export function getDependency(manifest: TomlManifest, module: string): unknown {
  return listDependencies(manifest)[module];
}

/** True when `[dependencies] <module>` holds exactly `entry` (both undefined counts as equal). */
export function dependencyIs(manifest: TomlManifest, module: string, entry: Table | undefined): boolean {
  return canonical(getDependency(manifest, module)) === canonical(entry);
}

export interface SetDependencyOptions {
  /**
   * When removing leaves `[dependencies]` empty, drop the table too (used when install had to
   * create it, so that remove restores the original bytes). Default false.
   */
  dropEmptyTable?: boolean;
}

/**
 * The manifest's text with `[dependencies] <module>` set to `entry` (or removed when undefined),
 * every other byte kept. Returns the same string when nothing changes.
 */
export function withDependency(manifest: TomlManifest, module: string, entry: Table | undefined, { dropEmptyTable = false }: SetDependencyOptions = {}): string {
  if (dependencyIs(manifest, module, entry) && !(entry === undefined && dropEmptyTable && emptyTable(manifest))) return manifest.text;
  const edited = editDependencyText(manifest.text, module, entry, dropEmptyTable);
  if (edited !== undefined) return edited;
  const updated = data(manifest);
  const deps: Table = isTable(updated.dependencies) ? updated.dependencies : {};
  if (entry === undefined) delete deps[module];
  else deps[module] = entry;
  if (dropEmptyTable && Object.keys(deps).length === 0) delete updated.dependencies;
  else updated.dependencies = deps;
  return patch(manifest.text, updated);
}

function emptyTable(manifest: TomlManifest): boolean {
  const deps = dependencies(manifest);
  return deps !== undefined && Object.keys(deps).length === 0;
}

/** The 1-based line of `<module> = …` in the manifest, for problems that point at it. */
export function dependencyLine(manifest: TomlManifest, module: string): number | undefined {
  const pattern = new RegExp(`^\\s*(?:"${module}"|'${module}'|${module})\\s*=|^\\s*\\[\\s*dependencies\\.${module}\\s*\\]`);
  const index = manifest.text.split('\n').findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 1;
}
