/**
 * Every `import "…"` of an extracted pack, resolved where production will resolve it: inside
 * the extracted copy, or inside a declared dependency laid out where its path points. Imports
 * are followed across the pack's own files (a file reached only through another's import is
 * checked too); a dependency's own imports are that dependency's business and are not followed.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../errors.ts';
import { isInside } from '../fs/inside.ts';
import { nclFiles, scanImports } from '../infra/imports.ts';

/** A dependency the pack's manifest declares, and where its path points in the test layout. */
export interface LaidOutDependency {
  /** Its module name (`provisioning_core`). */
  name: string;
  /** Its path as the manifest writes it (`../../../../nickel`). */
  path: string;
  /** Where that path points from the extracted pack (as written, for an absolute path). */
  dir: string;
  /** An absolute path: another machine's folder, never laid out. */
  absolute: boolean;
  /** `provisioning_core 0.0.1` when its pack was extracted there. */
  packed?: string | undefined;
  /** Why nothing was laid out (`which has no pack`), when nothing was. */
  missing: string | undefined;
  /** What lays it out (`pack it first: npx gulp pack:core`). */
  hint: string;
}

export interface CheckPackImportsOptions {
  /** The extracted pack's module folder. */
  dir: string;
  /** `aws_prov 0.2.0`, for messages. */
  label: string;
  /** How a file of the pack is named in problems (`aws_prov/server_aws.ncl`). */
  display: (file: string) => string;
  dependencies: readonly LaidOutDependency[];
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** PACK_IMPORT_ESCAPES and IMPORT_UNRESOLVED, every one, each at the import's file:line:column. */
export async function checkPackImports({ dir, label, display, dependencies }: CheckPackImportsOptions): Promise<Problem[]> {
  const problems: Problem[] = [];
  const queue = await nclFiles(dir);
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const ref of scanImports(await readFile(file, 'utf8'))) {
      const at = { file: display(file), line: ref.line, column: ref.column };
      const target = path.resolve(path.dirname(file), ref.spec);
      if (isInside(dir, target)) {
        if (!isFile(target)) {
          problems.push({
            code: 'IMPORT_UNRESOLVED',
            message: `${label}: import "${ref.spec}" in ${display(file)} resolves to ${display(target)}, which the pack does not hold`,
            ...at,
            hint: 'add the file to the module, or fix the import',
          });
        } else if (target.endsWith('.ncl') && !seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
        continue;
      }
      const through = dependencies.find((d) => isInside(d.dir, target));
      if (through === undefined || through.absolute) {
        problems.push({
          code: 'PACK_IMPORT_ESCAPES',
          message: through === undefined
            ? `${label}: import "${ref.spec}" in ${display(file)} leaves the module, and no declared dependency is there`
            : `${label}: import "${ref.spec}" in ${
              display(file)
            } goes through dependency ${through.name}, whose path ${through.path} is absolute: another machine does not have it`,
          ...at,
          hint: through === undefined
            ? 'move the imported file into the module, or declare the module it belongs to under [dependencies] in manifest.toml and import it through that path'
            : `give ${through.name} a relative path in [dependencies], as it lies beside this module`,
        });
      } else if (through.packed === undefined) {
        problems.push({
          code: 'IMPORT_UNRESOLVED',
          message: `${label}: import "${ref.spec}" in ${display(file)} goes through dependency ${through.name} (${through.path}), ${through.missing ?? 'which has no pack'}`,
          ...at,
          hint: through.hint,
        });
      } else if (!isFile(target)) {
        problems.push({
          code: 'IMPORT_UNRESOLVED',
          message: `${label}: import "${ref.spec}" in ${display(file)} goes through dependency ${through.name} (${through.path}), whose pack ${through.packed} does not hold ${
            path.relative(through.dir, target).split(path.sep).join('/')
          }`,
          ...at,
          hint: `fix the import, or pack a ${through.name} that has the file`,
        });
      }
    }
  }
  return problems;
}
