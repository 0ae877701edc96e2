import { stringify as toYaml } from 'yaml';
import { ProvisioningError } from '../errors.ts';

export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

export function assertFormat(value: unknown): OutputFormat {
  if (value === undefined || value === true) return 'table';
  if (typeof value === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new ProvisioningError('INVALID_OPTION', `Cannot use --format ${JSON.stringify(value)}: expected table, json or yaml`);
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | undefined;
}

/** A plain, aligned text table for people. No colours: it is often piped to less or grep. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row) ?? '-')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (parts: string[]) => parts.map((p, i) => (i === parts.length - 1 ? p : p.padEnd(widths[i]!))).join('  ');
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Renders data for scripts (`json`, `yaml`) or people (`table`, via `table()`). */
export function render(format: OutputFormat, data: unknown, table: () => string): string {
  if (format === 'json') return JSON.stringify(data, null, 2);
  // Plain YAML: a value met twice is written out twice, never as an anchor and alias (`&a1`, `*a1`).
  if (format === 'yaml') return toYaml(data, { aliasDuplicateObjects: false, lineWidth: 0 }).trimEnd();
  return table();
}
