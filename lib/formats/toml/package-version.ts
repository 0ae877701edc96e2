/**
 * The manifest as it goes into a pack. Packed with `--ver`, a tar named `aws_prov_0.2.0.tar`
 * whose PACK.json says 0.2.0 must not hold a manifest saying `version = "1.10.0"`: the packed
 * copy gets the packed version, by a text edit of that one value (comments, order, spacing and
 * quotes kept). The source file on disk is never changed.
 */
import { parseToml } from './parse.ts';
import { joinLines, splitLines, statements } from './lines.ts';

/**
 * `text` with `[package] version` set to `version`; the text itself when it already says so,
 * has no such single-line string value, or would not read back with that version (the edit
 * is only ever made when it is provably that one value).
 */
export function withPackageVersion(text: string, version: string): string {
  const { bom, lines } = splitLines(text);
  const found = statements(lines);
  if (!found) return text;
  let table: string[] = [];
  for (const st of found) {
    if (st.kind === 'header') table = st.array ? ['[]'] : st.path;
    if (st.kind !== 'keyval' || st.first !== st.last) continue;
    const full = [...table, ...st.key];
    if (full.length !== 2 || full[0] !== 'package' || full[1] !== 'version') continue;
    const line = lines[st.first]!;
    const raw = line.text.slice(st.valueStart, st.valueEnd);
    const quote = raw[0];
    if ((quote !== '"' && quote !== "'") || raw.startsWith(quote.repeat(3))) return text;
    const edited = lines.slice();
    edited[st.first] = { ...line, text: line.text.slice(0, st.valueStart) + quote + version + quote + line.text.slice(st.valueEnd) };
    const out = joinLines(bom, edited);
    try {
      const pkg = parseToml(out, 'manifest')['package'] as Record<string, unknown> | undefined;
      return pkg?.version === version ? out : text;
    } catch {
      return text;
    }
  }
  return text;
}
