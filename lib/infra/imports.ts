/**
 * A static scan of Nickel `import "…"` expressions. Not a parser: it skips `#` comments and
 * string literals (plain `"…"` and multiline `m%"…"%`) so that an `import` written inside them
 * is not taken for one, and reports where each real import starts.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Every `.ncl` file under `dir`, sorted; folders and files `skip` names are passed over. A folder that cannot be read holds none. */
export async function nclFiles(dir: string, skip: (name: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (skip(entry.name)) continue;
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await nclFiles(abs, skip)));
    else if (entry.name.endsWith('.ncl')) out.push(abs);
  }
  return out.sort();
}

export interface ImportRef {
  /** The imported path as written (escapes `\"` and `\\` undone). */
  spec: string;
  /** 1-based position of the `import` keyword. */
  line: number;
  column: number;
}

const IDENT = /[A-Za-z0-9_'-]/;

export function scanImports(source: string): ImportRef[] {
  const found: ImportRef[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const advanceTo = (end: number) => {
    for (; i < end && i < source.length; i++) if (source[i] === '\n') [line, lineStart] = [line + 1, i + 1];
  };
  /**
   * From just after a string's opening delimiter to just after its closing one: its text, or
   * undefined when it interpolates (`%{…}`, scanned as code: an import in there counts).
   * `percents` is the delimiter's count of `%` (1 for a plain string, n for `m%…%"`).
   */
  const string = (percents: number, multiline: boolean): string | undefined => {
    const close = multiline ? `"${'%'.repeat(percents)}` : '"';
    const open = `${'%'.repeat(percents)}{`;
    let value = '';
    let interpolated = false;
    while (i < source.length) {
      if (!multiline && source[i] === '\\' && i + 1 < source.length) {
        value += source[i + 1];
        advanceTo(i + 2);
      } else if (source.startsWith(close, i)) {
        advanceTo(i + close.length);
        return interpolated ? undefined : value;
      } else if (source.startsWith(open, i)) {
        interpolated = true;
        advanceTo(i + open.length);
        code(true);
      } else {
        value += source[i];
        advanceTo(i + 1);
      }
    }
    return interpolated ? undefined : value;
  };
  /** Code, to the end or (`nested`, inside `%{…}`) to the `}` that closes the interpolation. */
  const code = (nested: boolean): void => {
    let depth = 0;
    while (i < source.length) {
      const ch = source[i]!;
      if (ch === '#') {
        const end = source.indexOf('\n', i);
        advanceTo(end === -1 ? source.length : end);
      } else if (ch === '"') {
        advanceTo(i + 1);
        string(1, false);
      } else if (ch === 'm' && !IDENT.test(source[i - 1] ?? ' ') && /^m(%+)"/.test(source.slice(i, i + 20))) {
        const percents = /^m(%+)"/.exec(source.slice(i, i + 20))![1]!.length;
        advanceTo(i + percents + 2);
        string(percents, true);
      } else if (source.startsWith('import', i) && !IDENT.test(source[i - 1] ?? ' ') && !IDENT.test(source[i + 6] ?? ' ')) {
        const at = { line, column: i - lineStart + 1 };
        advanceTo(i + 6);
        while (i < source.length && /\s/.test(source[i]!)) advanceTo(i + 1);
        if (source[i] === '"') {
          advanceTo(i + 1);
          const spec = string(1, false);
          if (spec !== undefined) found.push({ spec, ...at });
        }
      } else if (ch === '{') {
        depth++;
        advanceTo(i + 1);
      } else if (ch === '}') {
        advanceTo(i + 1);
        if (nested && depth === 0) return;
        depth--;
      } else {
        advanceTo(i + 1);
      }
    }
  };
  code(false);
  return found;
}
