import type { Problem } from '../errors.ts';
import { dim, green, red, yellow } from '../output/style.ts';
import type { WatchResult } from './check.ts';

type Stream = { isTTY?: boolean };

function problemLines(p: Problem, stream: Stream): string[] {
  const where = p.file ? ` ${dim(`(${[p.file, p.line, p.line !== undefined ? p.column : undefined].filter((x) => x !== undefined).join(':')})`, stream)}` : '';
  return [`  ${p.code}: ${p.message}${where}`, ...(p.hint ? [`    ${dim('hint:', stream)} ${p.hint}`] : [])];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One short line per result, then one coded line per problem:
 * `✔ wuji: upcloud ok (12 ms)`, `✖ wuji: 2 problems (15 ms)` + `  IMPORT_UNRESOLVED: …`.
 * Colours only where `stream` wants them (NO_COLOR, pipes, CI: none).
 */
export function formatResult(result: WatchResult, stream: Stream = process.stdout): string {
  const subject = result.infra ?? result.providers.join(', ');
  const what = result.infra ? (result.providers.length > 0 ? `${result.providers.join(', ')} ` : 'manifests ') : result.providers.length > 0 ? 'in no infra, ' : '';
  const time = dim(`(${result.ms} ms)`, stream);
  const warned = result.warnings.length > 0 ? `, ${plural(result.warnings.length, 'warning')}` : '';
  const head = result.errors.length === 0
    ? `${green('✔', stream)} ${subject}: ${what}ok${warned} ${time}`
    : `${red('✖', stream)} ${subject}: ${plural(result.errors.length, 'problem')}${warned} ${time}`;
  const lines = [head, ...result.errors.flatMap((p) => problemLines(p, stream))];
  for (const w of result.warnings) lines.push(...problemLines(w, stream).map((l, i) => (i === 0 ? l.replace(/^ {2}/, `  ${yellow('warning', stream)} `) : l)));
  return lines.join('\n');
}
