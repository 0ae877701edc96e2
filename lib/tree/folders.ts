/**
 * The named folders of a provisioning tree (`extensions/providers/<name>/`,
 * `workspace/infra/<name>/`), scanned by one rule for every task: a real folder with a valid
 * name is one; a folder whose name is not valid is INVALID_NAME and a symlinked one LINK_CONFLICT,
 * both reported, never skipped in silence. Hidden entries (`.git`, `.cache`) and plain files are
 * not folders of the tree.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type Problem, ProvisioningError } from '../errors.ts';
import { NAME_PATTERN } from '../names.ts';

export type FolderKind = 'provider' | 'infra';

export interface ScannedFolders {
  /** Valid names of real folders, byte-sorted. */
  names: string[];
  problems: Problem[];
  /** The folders reported (absolute): not ours to use, but what they hold may still matter (pack:clean). */
  others: string[];
}

export function invalidFolderName(kind: FolderKind, dir: string, shown = dir): Problem {
  return {
    code: 'INVALID_NAME',
    message: `Cannot use ${kind} folder "${shown}": names must match ${NAME_PATTERN.source}`,
    file: shown,
    hint: `rename it (lower-case letters, digits, "_" and "-"), e.g. ${path.basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[-_]+/, '') || 'my-' + kind}`,
  };
}

/** LINK_CONFLICT for a provider or infra folder (or a provider's language folder) that is a symlink. */
export function symlinkedFolder(kind: FolderKind | 'language', dir: string, shown = dir): ProvisioningError {
  return new ProvisioningError(
    'LINK_CONFLICT',
    `Cannot use ${kind} folder "${shown}": it is a symlink, and ${
      kind === 'infra' ? 'an edit through it would land outside the tree' : 'providers are real folders of the tree (packs hold no links either)'
    }`,
    {
      file: shown,
      hint: 'make it a real folder of the tree (copy or move it in), or remove the link',
    },
  );
}

function hidden(entry: Dirent): boolean {
  return entry.name.startsWith('.');
}

/** The folders of `parent`; `display` names a path in problems (root-relative, as every other problem). */
export async function scanFolders(parent: string, kind: FolderKind, display: (abs: string) => string = (p) => p): Promise<ScannedFolders> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const names: string[] = [];
  const problems: Problem[] = [];
  const others: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (hidden(entry)) continue;
    const dir = path.join(parent, entry.name);
    if (entry.isSymbolicLink()) problems.push(symlinkedFolder(kind, dir, display(dir)).toJSON());
    else if (!entry.isDirectory()) continue;
    else if (!NAME_PATTERN.test(entry.name)) problems.push(invalidFolderName(kind, dir, display(dir)));
    else {
      names.push(entry.name);
      continue;
    }
    others.push(dir);
  }
  return { names, problems, others };
}
