import { readFile } from 'node:fs/promises';
import { parse, TomlError } from 'smol-toml';
import { ProvisioningError } from '../../errors.ts';

/** Parses TOML text, turning a syntax error into `MANIFEST_PARSE` at file:line:column. */
export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
      throw new ProvisioningError('MANIFEST_PARSE', `Cannot parse "${file}": ${reason}`, {
        file,
        line: error.line,
        column: error.column,
        cause: error,
      });
    }
    throw error;
  }
}

/** Reads and parses a TOML file (see {@link parseToml}). */
export async function readToml(file: string): Promise<Record<string, unknown>> {
  return parseToml(await readFile(file, 'utf8'), file);
}
