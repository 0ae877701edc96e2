import { parse } from 'smol-toml';
import { insertLines, joinLines, type Line, newlineOf, removeLines, splitLines, type Statement, statements } from './lines.ts';

type Table = Record<string, unknown>;
type KeyVal = Extract<Statement, { kind: 'keyval' }>;

/**
 * `[dependencies] <module> = <entry>` set or removed as a text edit that touches only that
 * line: added after the table's last entry (so comments and blank lines that close the table
 * stay where they are), replaced in place (key, spacing and trailing comment kept), or deleted.
 * A missing table is appended at the end as `\n[dependencies]\n<line>\n`, and `dropEmptyTable`
 * removes exactly that again.
 *
 * Returns `undefined` when the file has a shape this does not handle (`dependencies = {…}`,
 * dotted `dependencies.x = …` keys, `[dependencies.x]` subtables, an entry over several lines)
 * or when the edited text, parsed again, is not the original with exactly the intended change:
 * the caller then falls back to a TOML editor.
 */
export function editDependencyText(text: string, module: string, entry: Table | undefined, dropEmptyTable: boolean): string | undefined {
  const value = entry === undefined ? '' : inlineTable(entry);
  if (value === undefined) return undefined;
  const line = `${tomlKey(module)} = ${value}`;
  let before: Table;
  try {
    before = parse(text) as Table;
  } catch {
    return undefined;
  }
  const { bom, lines } = splitLines(text);
  const all = statements(lines);
  if (!all) return undefined;
  const table = dependenciesTable(all);
  if (!table) return undefined;
  const deps = before.dependencies;
  // The scanner and the parser must agree on what the table holds before either is trusted.
  const parsedKeys = deps === undefined ? undefined : Object.keys(deps as Table).sort();
  const scannedKeys = table.header === undefined ? undefined : table.entries.map((e) => e.key[0]!).sort();
  if (JSON.stringify(parsedKeys) !== JSON.stringify(scannedKeys)) return undefined;

  const ours = table.entries.find((e) => e.key[0] === module);
  let edited: Line[];
  if (entry !== undefined && ours) {
    const { text: old } = lines[ours.first]!;
    edited = lines.slice();
    edited[ours.first] = { ...lines[ours.first]!, text: old.slice(0, ours.valueStart) + value + old.slice(ours.valueEnd) };
  } else if (entry !== undefined && table.header !== undefined) {
    const after = table.entries.at(-1) ?? table.header;
    const indent = table.entries.at(-1) ? /^[ \t]*/.exec(lines[after.first]!.text)![0] : '';
    edited = insertLines(lines, after.last + 1, [indent + line], lines[after.last]!.nl || newlineOf(lines));
  } else if (entry !== undefined) {
    edited = insertLines(lines, lines.length, [...(lines.length > 0 ? [''] : []), '[dependencies]', line], newlineOf(lines));
  } else {
    edited = lines;
    if (ours) edited = removeLines(edited, ours.first, ours.last + 1);
    if (dropEmptyTable && table.header !== undefined && table.entries.every((e) => e === ours)) {
      const at = table.header.first;
      const blankBefore = at > 0 && /^[ \t]*$/.test(edited[at - 1]!.text);
      edited = removeLines(edited, blankBefore ? at - 1 : at, at + 1);
    }
  }
  const result = joinLines(bom, edited);
  return isExactly(result, before, module, entry, dropEmptyTable) ? result : undefined;
}

/** The `[dependencies]` header and its entries; `undefined` for shapes left to the TOML editor. */
function dependenciesTable(all: Statement[]): { header?: Statement; entries: KeyVal[] } | undefined {
  let header: Statement | undefined;
  const entries: KeyVal[] = [];
  let current: string[] = [];
  for (const s of all) {
    if (s.kind === 'header') {
      if (s.path[0] === 'dependencies' && (s.array || s.path.length > 1)) return undefined;
      current = s.path;
      if (s.path.length === 1 && s.path[0] === 'dependencies') header = s;
    } else if (s.kind === 'keyval') {
      const inTable = current.length === 1 && current[0] === 'dependencies';
      if (current.length === 0 && s.key[0] === 'dependencies') return undefined; // inline or dotted, at the root
      if (inTable && (s.key.length > 1 || s.first !== s.last)) return undefined;
      if (inTable) entries.push(s);
    }
  }
  return { header, entries };
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function tomlKey(key: string): string {
  return BARE_KEY.test(key) ? key : JSON.stringify(key);
}

/** `{ k = "v", … }`, or `undefined` when a value is not a plain string. */
function inlineTable(entry: Table): string | undefined {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') return undefined;
    // A JSON string is a valid TOML basic string for the text install writes (paths, versions);
    // anything odd is caught by the re-parse in isExactly.
    fields.push(`${tomlKey(key)} = ${JSON.stringify(value)}`);
  }
  return `{ ${fields.join(', ')} }`;
}

/** Values as comparable text: key order ignored; -0, NaN and ±inf as themselves. */
export function canonical(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const table = value as Table;
    return `{${Object.keys(table).sort().map((k) => `${JSON.stringify(k)}:${canonical(table[k])}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value); // NaN and ±inf as themselves
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** True when `result` parses to `before` with only `[dependencies] <module>` changed as asked. */
function isExactly(result: string, before: Table, module: string, entry: Table | undefined, dropEmptyTable: boolean): boolean {
  let after: Table;
  try {
    after = parse(result) as Table;
  } catch {
    return false;
  }
  // Shallow copies: structuredClone would turn smol-toml's TomlDate (local dates and times) into plain Dates.
  const expected = { ...before };
  const deps = { ...((expected.dependencies as Table | undefined) ?? {}) };
  if (entry === undefined) delete deps[module];
  else deps[module] = entry;
  if (entry === undefined && dropEmptyTable && Object.keys(deps).length === 0) delete expected.dependencies;
  else if (entry !== undefined || expected.dependencies !== undefined) expected.dependencies = deps;
  return canonical(after) === canonical(expected);
}

/** The single-line `<module> = <value>` entry of `[dependencies]` in `lines`, if that is its shape. */
function singleLineEntry(text: string, module: string): { lines: Line[]; bom: string; entry: KeyVal } | undefined {
  const { bom, lines } = splitLines(text);
  const all = statements(lines);
  if (!all) return undefined;
  const table = dependenciesTable(all);
  const entry = table?.entries.find((e) => e.key.length === 1 && e.key[0] === module && e.first === e.last);
  return entry ? { lines, bom, entry } : undefined;
}

/**
 * The value of `[dependencies] <module>` exactly as written (`{path="./x"}`), when the entry is
 * one line of the `[dependencies]` table; undefined for any other shape.
 */
export function dependencyValueText(text: string, module: string): string | undefined {
  const found = singleLineEntry(text, module);
  if (!found) return undefined;
  const { lines, entry } = found;
  return lines[entry.first]!.text.slice(entry.valueStart, entry.valueEnd);
}

/**
 * `text` with the value of the one-line entry `<module>` replaced by `value` as written, every
 * other byte kept; undefined when the entry has another shape or the result would not parse to
 * exactly that change.
 */
export function withDependencyValueText(text: string, module: string, value: string): string | undefined {
  const found = singleLineEntry(text, module);
  if (!found) return undefined;
  const { lines, bom, entry } = found;
  let parsedValue: unknown;
  let before: Table;
  try {
    parsedValue = (parse(`v = ${value}`) as Table).v;
    before = parse(text) as Table;
  } catch {
    return undefined;
  }
  const edited = lines.slice();
  const line = lines[entry.first]!;
  edited[entry.first] = { ...line, text: line.text.slice(0, entry.valueStart) + value + line.text.slice(entry.valueEnd) };
  const result = joinLines(bom, edited);
  if (typeof parsedValue !== 'object' || parsedValue === null || Array.isArray(parsedValue)) return undefined;
  return isExactly(result, before, module, parsedValue as Table, false) ? result : undefined;
}
