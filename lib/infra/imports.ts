/**
 * A static scan of Nickel `import "…"` expressions. Not a parser: it skips `#` comments and
 * string literals (plain `"…"` and multiline `m%"…"%`) so that an `import` written inside them
 * is not taken for one, and reports where each real import starts.
 */
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
  const skipString = () => {
    // at an opening `"`: returns its content, leaves i after the closing quote
    let value = '';
    advanceTo(i + 1);
    while (i < source.length && source[i] !== '"') {
      if (source[i] === '\\' && i + 1 < source.length) {
        value += source[i + 1];
        advanceTo(i + 2);
      } else {
        value += source[i];
        advanceTo(i + 1);
      }
    }
    advanceTo(i + 1);
    return value;
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '#') {
      const end = source.indexOf('\n', i);
      advanceTo(end === -1 ? source.length : end);
    } else if (ch === '"') {
      skipString();
    } else if (ch === 'm' && !IDENT.test(source[i - 1] ?? ' ') && /^m(%+)"/.test(source.slice(i, i + 20))) {
      const percents = /^m(%+)"/.exec(source.slice(i, i + 20))![1]!;
      const end = source.indexOf(`"${percents}`, i + percents.length + 2);
      advanceTo(end === -1 ? source.length : end + percents.length + 1);
    } else if (source.startsWith('import', i) && !IDENT.test(source[i - 1] ?? ' ') && !IDENT.test(source[i + 6] ?? ' ')) {
      const at = { line, column: i - lineStart + 1 };
      advanceTo(i + 6);
      while (i < source.length && /\s/.test(source[i]!)) advanceTo(i + 1);
      if (source[i] === '"') found.push({ spec: skipString(), ...at });
    } else {
      advanceTo(i + 1);
    }
  }
  return found;
}
