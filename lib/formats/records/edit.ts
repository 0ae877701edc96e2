import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { ProvisioningError } from '../../errors.ts';

/**
 * `providers.manifest.yaml`, edited through yaml's Document API so that the user's comments,
 * key order and quoting survive every edit. Parsing and shape checks live in
 * `read.ts`; this file only edits.
 */
export interface RecordsFile {
  /** Path shown in problems. */
  file: string;
  /** The bytes as read; `''` when the file does not exist yet. */
  text: string;
  exists: boolean;
  doc: Document;
  lines: LineCounter;
}

/**
 * Top-level flags: what the tool made in the infra, remembered in the file kept in git so that
 * taking the last provider away gives the user's bytes back, on any clone.
 */
export const FLAGS = {
  /** install (or vendor, sync) created `[dependencies]` in manifest.toml: dropped again once empty. */
  createdTable: 'created_dependencies_table',
  /** providers:vendor created `<infra>/vendor/`: removed again once empty. */
  createdVendorFolder: 'created_vendor_folder',
  /** The tool created this very file: deleted again once its last provider goes (unless the user wrote in it). */
  createdRecordsFile: 'created_records_file',
  /** The tool created the infra's manifest.toml: deleted again once it holds nothing. */
  createdManifestFile: 'created_manifest_file',
  /** The file had no `providers:` key: it goes again once the map is empty. */
  createdProvidersKey: 'created_providers_key',
} as const;

/**
 * Top-level marks (strings): `empty_providers` is how the empty map was written when the first
 * entry went in, if not `providers: {}` (a bare `providers:`, `~`, `null`, `{ }`, or, starting with
 * spaces, a line of its own such as `  {}`), so it is written back so when the last goes (text.ts).
 */
export const MARKS = { emptyProviders: 'empty_providers' } as const;

export type Mark = (typeof MARKS)[keyof typeof MARKS];

export function getMark(records: RecordsFile, key: Mark): string | undefined {
  const value = isMap(records.doc.contents) ? records.doc.get(key) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Sets a mark, or deletes it (undefined). */
export function setMark(records: RecordsFile, key: Mark, value: string | undefined): void {
  if (getMark(records, key) === value) return;
  if (value === undefined) records.doc.delete(key);
  else {
    providersMap(records);
    records.doc.set(key, value);
  }
}

/** Empties the `providers:` map into `null` (`providers:`, `~`, `null` as written). */
export function nullProviders(records: RecordsFile): void {
  if (isMap(records.doc.contents) && records.doc.has('providers')) records.doc.set('providers', records.doc.createNode(null));
}

export type Flag = (typeof FLAGS)[keyof typeof FLAGS];

const HEADER = ' Providers installed in this infra. Kept in git: `providers:sync` rebuilds links from it.';

/** Parses the yaml; `MANIFEST_PARSE` at file:line:column on a syntax error. */
export function parseRecordsFile(text: string, file: string, exists = true): RecordsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const [error] = doc.errors;
  if (error) {
    const pos = error.linePos?.[0];
    throw new ProvisioningError('MANIFEST_PARSE', `Cannot parse "${file}": ${error.message.split('\n')[0]}`, {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      cause: error,
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ProvisioningError('MANIFEST_INVALID', `Cannot use "${file}": expected a mapping with a "providers:" key`, { file, line: 1, column: 1 });
  }
  const providers = doc.get('providers', true) as Node | undefined;
  if (providers != null && !isMap(providers) && !(isScalar(providers) && providers.value === null)) {
    const pos = providers.range ? lines.linePos(providers.range[0]) : undefined;
    throw new ProvisioningError('MANIFEST_INVALID', `Cannot use "${file}": "providers:" must be a mapping keyed by provider name`, {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
  }
  return { file, text, exists, doc, lines };
}

/** The `providers:` map as a block map, created when absent or empty-flow (`providers: {}`). */
function providersMap(records: RecordsFile): YAMLMap {
  const { doc } = records;
  if (doc.contents === null) {
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
    // A file of comments only keeps them; a new or blank one gets the header.
    doc.commentBefore ??= HEADER;
  }
  const found = doc.get('providers', true);
  const map = isMap(found) ? found : (doc.createNode({}) as YAMLMap);
  if (map !== found) doc.set('providers', map);
  if (map.items.length === 0) map.flow = false;
  return map;
}

/** A records file as the tool creates one, with an empty `providers:` map (not on disk). */
export function emptyRecordsFile(file: string): RecordsFile {
  const records = parseRecordsFile('', file, false);
  providersMap(records).flow = true;
  return records;
}

/**
 * Sets `providers.<name>` to `fields`, key by key: an existing entry keeps its comments and
 * order, keys in `fields` that are `undefined` are deleted (e.g. `integrity` when a vendored
 * provider goes back to a link), and values already equal are not touched.
 */
export function setRecord(records: RecordsFile, name: string, fields: Record<string, unknown>): void {
  const map = providersMap(records);
  const entry = map.get(name, true);
  if (!isMap(entry)) {
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    map.set(name, records.doc.createNode(defined));
    return;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) entry.delete(key);
    else if (entry.get(key) !== value) entry.set(key, value);
  }
}

/**
 * Deletes `providers.<name>`; an emptied map is always written back as `providers: {}` (whether
 * the line said `{}` or nothing before the first install is not recorded; see `text.ts`).
 */
export function deleteRecord(records: RecordsFile, name: string): void {
  const map = records.doc.get('providers', true);
  if (!isMap(map)) return;
  map.delete(name);
  if (map.items.length === 0) map.flow = true;
}

/** Reads a top-level boolean flag (see {@link FLAGS}). */
export function getFlag(records: RecordsFile, key: Flag): boolean {
  return isMap(records.doc.contents) && records.doc.get(key) === true;
}

/** Sets (true) or deletes (false) a top-level flag. */
export function setFlag(records: RecordsFile, key: Flag, on: boolean): void {
  if (getFlag(records, key) === on) return;
  if (on) {
    providersMap(records);
    records.doc.set(key, true);
  } else records.doc.delete(key);
}
