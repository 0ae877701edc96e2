import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../errors.ts';
import { isInside } from '../fs/inside.ts';
import { nclFiles, scanImports } from './imports.ts';

export interface CheckImportsOptions {
  /** The module folder whose `.ncl` files are checked (a provider's `nickel/`, or a vendored copy). */
  moduleDir: string;
  /** Imports are followed into other files only while they stay inside this folder (the root). */
  boundary: string;
  /** How a file is named in problems. Default: the absolute path. */
  display?: (file: string) => string;
}

/**
 * `IMPORT_UNRESOLVED` for every `import "…"` that leads nowhere, in each `.ncl` file of the
 * module and, transitively, in every `.ncl` file those imports reach inside `boundary`. Paths
 * are resolved against the importing file's folder, as Nickel does; each problem points at the
 * import's file:line:column.
 */
export async function checkImports({ moduleDir, boundary, display = (f) => f }: CheckImportsOptions): Promise<Problem[]> {
  const problems: Problem[] = [];
  // Hidden files and node_modules are not the module's (the pack rules leave them out too).
  const queue = await nclFiles(moduleDir, (name) => name.startsWith('.') || name === 'node_modules');
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    for (const ref of scanImports(text)) {
      const target = path.resolve(path.dirname(file), ref.spec);
      if (!existsSync(target) || !statSync(target).isFile()) {
        problems.push({
          code: 'IMPORT_UNRESOLVED',
          message: `Cannot resolve import "${ref.spec}" in ${display(file)}: ${display(target)} does not exist`,
          file: display(file),
          line: ref.line,
          column: ref.column,
        });
      } else if (target.endsWith('.ncl') && !seen.has(target) && isInside(boundary, target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return problems;
}
