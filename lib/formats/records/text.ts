/**
 * The text `providers.manifest.yaml` is written back as. Re-serialising the whole document would
 * re-indent every entry, fold long strings and re-space flow sequences, so only what changed is
 * rewritten: each added, changed or deleted `providers.<name>` entry (and top-level flag) is
 * spliced into the original bytes, rendered in the file's own indent.
 *
 * An empty map is spliced too, so no comment around it moves:
 * - The first entry: only the value on the `providers:` line changes (`{}`, `~` or `null` is
 *   dropped; the spaces and an inline comment after it stay byte for byte; with no comment the
 *   line becomes plain `providers:`). The entries go right after that line, below any comment
 *   lines indented deeper than `providers:` that directly follow it (`  # none yet` reads as a note
 *   on the map's contents, so it stays first); every other comment stays after the entries.
 * - The last entry removed: the entry's lines go and the `providers:` line gets `{}` back, one
 *   space after the colon (` {}` takes the first of the spaces before an inline comment).
 *   The rule is "an emptied map is always written `providers: {}`": nothing records whether the
 *   line said `providers: {}` or `providers:` before the first install, and `{}` is the explicit
 *   form. So `providers: {}` files come back byte for byte after install → remove, and a bare
 *   `providers:` comes back as `providers: {}` with every comment where it was.
 * - A file without a `providers:` key gets it appended after its last top-level key.
 *
 * Every splice is re-parsed and must say exactly what the document says. Anything the splice
 * cannot express (a new file, a flow map with entries, a value on its own line, anchors or tags,
 * …) falls back to serialising the document with options that keep as much of the user's style
 * as yaml can.
 */
import { Document, isMap, isPair, isScalar, type Pair, parseDocument, type ToStringOptions, YAMLMap } from 'yaml';
import type { RecordsFile } from './edit.ts';

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Where the entries' indent is read from: the first entry, else any other nested block map, else a comment right under `providers:`. */
function indentOffset(original: Document, source: string): number | undefined {
  const firstKey = (map: unknown) => (isMap(map) && !map.flow ? (map.items[0]?.key as { range?: number[] } | undefined)?.range?.[0] : undefined);
  const own = firstKey(original.get('providers', true));
  if (own !== undefined) return own;
  const top = original.contents;
  for (const pair of isMap(top) ? top.items : []) {
    const offset = isPair(pair) ? firstKey(pair.value) : undefined;
    if (offset !== undefined) return offset;
  }
  const header = isMap(top) ? top.items.find((p) => isPair(p) && keyOf(p) === 'providers') : undefined;
  const at = header ? headerOf(source, header) : undefined;
  if (at && at.notes > at.end) return at.end + source.slice(at.end).search(/\S/);
  return undefined;
}

function styleOf(original: Document, source: string): ToStringOptions {
  const offset = indentOffset(original, source);
  const indent = offset === undefined ? 2 : offset - lineStart(source, offset);
  // lineWidth 0: never fold a long string; no padding inside `[a, b]` / `{a: 1}`, as most people write them.
  return { indent: indent > 0 ? indent : 2, lineWidth: 0, flowCollectionPadding: false };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** `offset`, moved past the rest of its line (and the newline) unless it already starts one. */
function lineEnd(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The bytes of a pair: from its key's line to the end of its value's last line. */
function spanOf(text: string, pair: Pair): { start: number; end: number } | undefined {
  const key = (pair.key as { range?: number[] } | null)?.range;
  const value = (pair.value as { range?: number[] } | null)?.range;
  if (!key || !value) return undefined;
  return { start: lineStart(text, key[0]!), end: lineEnd(text, value[2]!) };
}

/** One pair rendered as it would sit at `depth` (0: top level, 1: under `providers:`), without its leading comment. */
function render(pair: Pair, depth: 0 | 1, options: ToStringOptions): string {
  const copy = pair.clone() as Pair;
  const key = copy.key as { commentBefore?: string | null; spaceBefore?: boolean } | null;
  if (key && typeof key === 'object') {
    key.commentBefore = null;
    key.spaceBefore = false;
  }
  const holder = new YAMLMap();
  holder.items = [copy];
  const doc = new Document();
  if (depth === 0) {
    doc.contents = holder as typeof doc.contents;
    return doc.toString(options);
  }
  const top = new YAMLMap();
  top.items = [doc.createPair('providers', holder)];
  doc.contents = top as typeof doc.contents;
  const text = doc.toString(options);
  return text.slice(text.indexOf('\n') + 1);
}

/** The `providers:` line, cut up: `<key>:<spaces><value><spaces><# comment>`. */
interface Header {
  /** Just past the colon. */
  colon: number;
  /** The spaces between the colon and the value (or the comment). */
  before: string;
  /** `{}` (or `{ }`), `~`, `null` or `''`. */
  value: string;
  /** The spaces after the value, before the comment or the line's end. */
  after: string;
  comment: string;
  /** Just past the line's newline (the text's end when it has none). */
  end: number;
  /** Past the comment lines indented deeper than the key that directly follow the line. */
  notes: number;
  /** An empty value on a line of its own after those notes (`  {}`): its bytes, newline included. */
  ownLine?: { start: number; end: number };
}

/** The `providers:` line of a block `providers: <empty>` / `providers:` + entries; undefined for any other shape. */
function headerOf(source: string, pair: Pair): Header | undefined {
  const key = (pair.key as { range?: number[] } | null)?.range;
  if (!key || lineStart(source, key[0]!) !== key[0]) return undefined;
  const nl = source.indexOf('\n', key[1]!);
  const end = nl === -1 ? source.length : nl + 1;
  const line = /^([ \t]*:)([ \t]*)(\{[ \t]*\}|~|null|Null|NULL)?([ \t]*)(#[^\r\n]*)?\r?\n?$/.exec(source.slice(key[1]!, end));
  if (!line) return undefined;
  const [, colon, before, value = '', after, comment = ''] = line;
  if (value && !before) return undefined;
  let notes = end;
  for (let next = /^[ \t]+#[^\n]*(\n|$)/.exec(source.slice(notes)); next && next[0]; next = /^[ \t]+#[^\n]*(\n|$)/.exec(source.slice(notes))) {
    notes += next[0].length;
  }
  const own = value ? null : /^[ \t]+(\{[ \t]*\}|~|null|Null|NULL)[ \t]*(#[^\r\n]*)?(\r?\n|$)/.exec(source.slice(notes));
  return { colon: key[1]! + colon!.length, before: before!, value, after: after!, comment, end, notes, ...(own ? { ownLine: { start: notes, end: notes + own[0].length } } : {}) };
}

export interface EmptyProvidersForm {
  /** For `empty_providers`: the empty map as written, when not `providers: {}` (see records/edit.ts MARKS). */
  mark?: string;
  /** The file has no `providers:` key at all. */
  noKey?: boolean;
}

/**
 * How the file's empty `providers:` map is written, as far as writing it back byte for byte
 * needs to be remembered; undefined when the map is not empty, is `providers: {}`, or the file
 * has a shape that is written by the Document API anyway.
 */
export function emptyProvidersForm(records: RecordsFile): EmptyProvidersForm | undefined {
  if (!records.exists) return undefined;
  const original = parseDocument(records.text);
  const top = original.contents;
  if (!isMap(top) || top.flow) return undefined;
  const pair = top.items.find((p) => isPair(p) && keyOf(p) === 'providers');
  if (!pair) return top.items.length > 0 ? { noKey: true } : undefined;
  const value = pair.value;
  if (!((isMap(value) && value.items.length === 0) || (isScalar(value) && value.value === null))) return undefined;
  const header = headerOf(records.text, pair);
  if (!header) return undefined;
  if (header.ownLine) return { mark: records.text.slice(header.ownLine.start, header.ownLine.end).replace(/\r?\n$/, '') };
  return header.value === '{}' ? undefined : { mark: header.value };
}

/** The edit of the `providers:` line's value when the map goes from empty to not (or back). */
function headerEdit(header: Header, empty: boolean, token = '{}'): Edit | undefined {
  const { colon, before, value, after, comment } = header;
  const span = before + value + after;
  if (empty === (value !== '')) return undefined;
  if (!empty) return comment ? { start: colon + before.length, end: colon + before.length + value.length, text: '' } : { start: colon, end: colon + span.length, text: '' };
  if (!comment) return { start: colon, end: colon + span.length, text: ` ${token}` };
  return { start: colon, end: colon + span.length, text: span.length >= 2 ? `${span[0]}${token}${span.slice(1)}` : ` ${token} ` };
}

function keyOf(pair: Pair): string {
  const key = pair.key as { value?: unknown } | null;
  return String(key && typeof key === 'object' && 'value' in key ? key.value : key);
}

function same(a: Pair, b: Pair): boolean {
  const json = (p: Pair) => JSON.stringify((p.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? p.value);
  return json(a) === json(b);
}

/** The splice edits for one map level; undefined when it cannot be done by splicing. */
function diffPairs(source: string, before: Pair[], after: Pair[], depth: 0 | 1, options: ToStringOptions, appendAt: number, skip?: string): Edit[] | undefined {
  const edits: Edit[] = [];
  const afterByKey = new Map(after.map((p) => [keyOf(p), p]));
  const beforeKeys = new Set(before.map(keyOf));
  for (const old of before) {
    const name = keyOf(old);
    if (name === skip) continue;
    const span = spanOf(source, old);
    if (!span) return undefined;
    const now = afterByKey.get(name);
    if (!now) edits.push({ ...span, text: '' });
    else if (!same(old, now)) edits.push({ ...span, text: render(now, depth, options) });
  }
  // New pairs go after the last existing one, in the order they were added (as yaml would put them).
  const added = after.filter((p) => !beforeKeys.has(keyOf(p)));
  if (added.length > 0) edits.push({ start: appendAt, end: appendAt, text: added.map((p) => render(p, depth, options)).join('') });
  return edits;
}

/** The entries' edits: an empty map (`{}`, `~`, nothing) gains or loses its first/last entry through its header line. */
function entryEdits(source: string, pair: Pair, after: unknown, options: ToStringOptions, mark: string | undefined): Edit[] | undefined {
  const before = pair.value;
  const none = (node: unknown) => isScalar(node) && node.value === null;
  if (none(before) && none(after)) return [];
  if (!(isMap(after) && !(after.flow && after.items.length > 0)) && !none(after)) return undefined;
  const afterItems = isMap(after) ? after.items : [];
  const oldItems = isMap(before) ? before.items : [];
  if (isMap(before) ? before.flow && oldItems.length > 0 : !none(before)) return undefined;
  if (![...oldItems, ...afterItems].every(isPair)) return undefined;
  const header = headerOf(source, pair);
  if (!header) return undefined;
  let appendAt = header.notes;
  if (oldItems.length > 0) {
    const last = spanOf(source, oldItems[oldItems.length - 1]!);
    if (!last) return undefined;
    appendAt = last.end;
  }
  const edits = diffPairs(source, oldItems, afterItems, 1, options, appendAt);
  if (!edits) return undefined;
  // The entries go on the line after the header, which a text without a final newline lacks.
  for (const edit of edits) if (edit.text && edit.start === source.length && !source.endsWith('\n')) edit.text = `\n${edit.text}`;
  const emptied = afterItems.length === 0;
  // The value on a line of its own: the first entry takes its place; the last one leaves it back.
  if (header.ownLine && !emptied) return [...edits, { ...header.ownLine, text: '' }];
  if (emptied && oldItems.length > 0 && mark !== undefined && !header.value) {
    // Just past the last entry (deleted by its own edit): the own line lands where the entries were.
    if (/^[ \t]/.test(mark)) return [...edits, { start: appendAt, end: appendAt, text: `${mark}\n` }];
    if (mark === '') return edits; // a bare `providers:` stays bare
  }
  const line = headerEdit(header, emptied, emptied && mark !== undefined && !/^[ \t]/.test(mark) ? mark : '{}');
  return line ? [...edits, line] : edits;
}

function splice(records: RecordsFile, original: Document, options: ToStringOptions): string | undefined {
  const source = records.text;
  const top = original.contents;
  const now = records.doc.contents;
  if (!isMap(top) || !isMap(now) || top.flow || top.items.length === 0) return undefined;
  if (![...top.items, ...now.items].every(isPair)) return undefined;
  const lastTop = spanOf(source, top.items[top.items.length - 1]!);
  if (!lastTop) return undefined;
  // No `providers:` key yet: it is a new top-level pair, rendered whole after the last one.
  const pair = top.items.find((p) => keyOf(p) === 'providers');
  // A `providers:` key that goes (the tool added it) is one more top-level pair deleted.
  const kept = pair !== undefined && now.items.some((p) => keyOf(p) === 'providers');
  const mark = original.get('empty_providers');
  const entries = kept ? entryEdits(source, pair, records.doc.get('providers', true), options, typeof mark === 'string' ? mark : undefined) : [];
  const flags = diffPairs(source, top.items, now.items, 0, options, lastTop.end, kept ? 'providers' : undefined);
  if (!entries || !flags) return undefined;
  // Rendered text is LF; a CRLF file gets CRLF in what is spliced into it.
  if (crlf(source)) { for (const edit of [...entries, ...flags]) edit.text = edit.text.replace(/\r?\n/g, '\r\n'); }
  let text = source;
  // Applied from the end backwards; at one offset the later edit goes in first, so the earlier
  // one (an entry before a top-level flag) ends up before it.
  const ordered = [...entries, ...flags].map((edit, index) => ({ edit, index })).sort((a, b) => b.edit.start - a.edit.start || b.index - a.index);
  for (const { edit } of ordered) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  // The result must say exactly what the document says; anything else falls back.
  const check = parseDocument(text);
  return check.errors.length === 0 && JSON.stringify(check.toJSON()) === JSON.stringify(records.doc.toJSON()) ? text : undefined;
}

/** The text to write: the original bytes when the document was not changed, else a minimal edit of them. */
export function recordsText(records: RecordsFile): string {
  const original = parseDocument(records.text);
  const options = styleOf(original, records.text);
  const full = records.doc.toString(options);
  // A file that is not there and was given nothing stays not there ("null" is no content of ours).
  if (!records.exists) return records.doc.contents === null ? '' : full;
  if (original.toString(options) === full) return records.text;
  return splice(records, original, options) ?? (crlf(records.text) ? full.replace(/\r?\n/g, '\r\n') : full);
}

/** True when the text's lines end in CRLF (its first line ending decides). */
function crlf(text: string): boolean {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r';
}
