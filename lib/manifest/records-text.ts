/**
 * The text `providers.manifest.yaml` is written back as. Re-serialising the whole document would
 * re-indent every entry, fold long strings and re-space flow sequences, so only what changed is
 * rewritten: each added, changed or deleted `providers.<name>` entry (and top-level flag) is
 * spliced into the original bytes, rendered in the file's own indent. Anything the splice cannot
 * express (a new file, an empty or flow `providers:` map) falls back to serialising the document
 * with options that keep as much of the user's style as yaml can.
 */
import { Document, isMap, isPair, parseDocument, YAMLMap, type Pair, type ToStringOptions } from 'yaml';
import type { RecordsFile } from './records.ts';

interface Edit {
  start: number;
  end: number;
  text: string;
}

function styleOf(original: Document, source: string): ToStringOptions {
  const map = original.get('providers', true);
  const offset = isMap(map) && !map.flow ? (map.items[0]?.key as { range?: number[] } | undefined)?.range?.[0] : undefined;
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

function splice(records: RecordsFile, original: Document, options: ToStringOptions): string | undefined {
  const source = records.text;
  const top = original.contents;
  const now = records.doc.contents;
  if (!isMap(top) || !isMap(now) || top.flow) return undefined;
  const oldMap = original.get('providers', true);
  const newMap = records.doc.get('providers', true);
  if (!isMap(oldMap) || !isMap(newMap) || oldMap.flow || newMap.flow || oldMap.items.length === 0 || newMap.items.length === 0) return undefined;
  if (![...top.items, ...now.items].every(isPair)) return undefined;
  const lastEntry = spanOf(source, oldMap.items[oldMap.items.length - 1]!);
  const lastTop = spanOf(source, top.items[top.items.length - 1]!);
  if (!lastEntry || !lastTop) return undefined;
  const entries = diffPairs(source, oldMap.items, newMap.items, 1, options, lastEntry.end);
  const flags = diffPairs(source, top.items, now.items, 0, options, lastTop.end, 'providers');
  if (!entries || !flags) return undefined;
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
  if (!records.exists) return full;
  if (original.toString(options) === full) return records.text;
  return splice(records, original, options) ?? full;
}
