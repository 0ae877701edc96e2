/**
 * A TOML document seen as lines, for edits that must leave every other byte alone.
 *
 * This is not a parser: it only finds where each statement (blank line, comment, table header,
 * key/value) starts and ends, reading strings and brackets so that a `[dependencies]` inside a
 * multi-line string is not taken for a header. It assumes text smol-toml has already accepted;
 * callers re-parse whatever they produce and check the result, so a misreading here can only
 * make an edit fall back, never corrupt a file.
 */

/** One physical line: its text and the newline that ends it (`''` for a last line without one). */
export interface Line {
  text: string;
  nl: '' | '\n' | '\r\n';
}

export type Statement =
  | { kind: 'blank' | 'comment'; first: number; last: number }
  | { kind: 'header'; first: number; last: number; path: string[]; array: boolean }
  | {
    kind: 'keyval';
    first: number;
    last: number;
    /** The key, dotted parts decoded (`"a.b".c` is `['a.b', 'c']`). */
    key: string[];
    /** Where the value starts and ends in line `first` (meaningful when `first === last`). */
    valueStart: number;
    valueEnd: number;
  };

const BOM = '\uFEFF';

/** The text's byte-order mark (kept aside, so line 0 reads like any other) and its lines. */
export function splitLines(text: string): { bom: string; lines: Line[] } {
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = text.slice(bom.length);
  const lines: Line[] = [];
  const re = /\r?\n/g;
  let start = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    lines.push({ text: body.slice(start, m.index), nl: m[0] as Line['nl'] });
    start = m.index + m[0].length;
  }
  if (start < body.length) lines.push({ text: body.slice(start), nl: '' });
  return { bom, lines };
}

export function joinLines(bom: string, lines: Line[]): string {
  return bom + lines.map((l) => l.text + l.nl).join('');
}

/** The newline the file already uses (its first), `\n` when it has none. */
export function newlineOf(lines: Line[]): '\n' | '\r\n' {
  return lines.find((l) => l.nl !== '')?.nl || '\n';
}

/**
 * Inserts `texts` as lines before index `at`. Appending after a last line that has no newline
 * gives that line one and leaves the new last line without, so the file keeps its shape and
 * {@link removeLines} can undo it exactly.
 */
export function insertLines(lines: Line[], at: number, texts: string[], nl: '\n' | '\r\n'): Line[] {
  const added: Line[] = texts.map((text) => ({ text, nl }));
  const out = lines.slice();
  const previous = out[at - 1];
  if (at === out.length && previous && previous.nl === '') {
    out[at - 1] = { ...previous, nl };
    added[added.length - 1]!.nl = '';
  }
  out.splice(at, 0, ...added);
  return out;
}

/** Removes lines `[from, to)`: the inverse of {@link insertLines}. */
export function removeLines(lines: Line[], from: number, to: number): Line[] {
  const out = lines.slice();
  if (to === out.length && out[to - 1]?.nl === '' && from > 0) out[from - 1] = { ...out[from - 1]!, nl: '' };
  out.splice(from, to - from);
  return out;
}

const BARE = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

function decodeBasic(raw: string): string {
  return raw.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)/g, (_, e: string) => e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e));
}

/** Reads statements over the lines; `undefined` when the text does not read as expected. */
export function statements(lines: Line[]): Statement[] | undefined {
  // The body as one string, with a map from offset back to line number.
  const starts: number[] = [];
  let text = '';
  for (const line of lines) {
    starts.push(text.length);
    text += line.text + '\n';
  }
  let i = 0;
  let lineNo = 0;
  const lineAt = (offset: number): number => {
    while (lineNo + 1 < starts.length && starts[lineNo + 1]! <= offset) lineNo += 1;
    return lineNo;
  };
  const ws = (): void => {
    while (text[i] === ' ' || text[i] === '\t') i += 1;
  };
  /** Moves past the string at `i` (any of the four kinds); false when it does not close. */
  const skipString = (): boolean => {
    const q = text[i]!;
    const multi = text.startsWith(q.repeat(3), i);
    i += multi ? 3 : 1;
    for (; i < text.length; i += 1) {
      if (text[i] === '\\' && q === '"') i += 1;
      else if (!multi && text[i] === '\n') return false;
      else if (multi ? text.startsWith(q.repeat(3), i) : text[i] === q) break;
    }
    if (i >= text.length) return false;
    if (!multi) {
      i += 1;
      return true;
    }
    const close = i;
    while (text[i] === q && i < close + 5) i += 1; // up to two quotes may end the content
    return true;
  };
  const key = (): string[] | undefined => {
    const parts: string[] = [];
    for (;;) {
      ws();
      const c = text[i];
      if (c === '"' || c === "'") {
        const start = i;
        if (text.startsWith(c.repeat(3), i) || !skipString()) return undefined;
        const raw = text.slice(start + 1, i - 1);
        parts.push(c === '"' ? decodeBasic(raw) : raw);
      } else {
        const start = i;
        while (i < text.length && BARE.test(text[i]!)) i += 1;
        if (i === start) return undefined;
        parts.push(text.slice(start, i));
      }
      ws();
      if (text[i] !== '.') return parts;
      i += 1;
    }
  };
  const endOfLine = (): boolean => {
    ws();
    if (text[i] === '#') i = text.indexOf('\n', i);
    if (text[i] !== '\n') return false;
    i += 1;
    return true;
  };

  const out: Statement[] = [];
  while (i < text.length) {
    const first = lineAt(i);
    ws();
    const c = text[i];
    if (c === '\n' || c === '#') {
      const kind = c === '\n' ? 'blank' : 'comment';
      if (!endOfLine()) return undefined;
      out.push({ kind, first, last: first });
    } else if (c === '[') {
      const array = text[i + 1] === '[';
      i += array ? 2 : 1;
      const path = key();
      if (!path || !text.startsWith(array ? ']]' : ']', i)) return undefined;
      i += array ? 2 : 1;
      if (!endOfLine()) return undefined;
      out.push({ kind: 'header', first, last: first, path, array });
    } else {
      const path = key();
      if (!path || text[i] !== '=') return undefined;
      i += 1;
      ws();
      const valueStart = i - starts[first]!;
      let depth = 0;
      let valueEnd = i;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '\n' || ch === '#') {
          if (depth === 0) break;
          if (ch === '#') i = text.indexOf('\n', i);
          i += 1;
          continue;
        }
        if (ch === '"' || ch === "'") {
          if (!skipString()) return undefined;
        } else {
          if (ch === '[' || ch === '{') depth += 1;
          else if (ch === ']' || ch === '}') depth -= 1;
          i += 1;
        }
        if (ch !== ' ' && ch !== '\t') valueEnd = i;
      }
      const last = lineAt(valueEnd - 1);
      if (depth !== 0 || !endOfLine()) return undefined;
      out.push({ kind: 'keyval', first, last, key: path, valueStart, valueEnd: valueEnd - starts[last]! });
    }
  }
  return out;
}
