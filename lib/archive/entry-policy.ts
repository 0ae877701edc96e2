/**
 * What a pack may contain: regular files and directories, each under `<module>/`, with a path
 * that cannot leave it. Everything else is refused by name, never "fixed" (node-tar's habit
 * of stripping a leading `/` or skipping `..` would hide an attack in a warning).
 */
import { ProvisioningError } from '../errors.ts';
import type { TarEntry } from '../formats/tar/read.ts';

const TYPE_NAMES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  S: 'a GNU sparse file',
  D: 'a GNU dump directory',
  M: 'a GNU multi-volume continuation',
  V: 'a volume label',
  N: 'an old GNU long-name record',
};

export type EntryKind = 'file' | 'dir';

export function refuse(entry: Pick<TarEntry, 'path'>, reason: string): ProvisioningError {
  return new ProvisioningError('UNSAFE_ARCHIVE_ENTRY', `Cannot extract ${JSON.stringify(entry.path)}: ${reason}`, {
    hint: 'this pack was not made by pack:provider/pack:core, or was altered; do not use it',
  });
}

/** A file or a directory, else refused. */
export function entryKind(entry: TarEntry): EntryKind {
  if (entry.type === '0') return 'file';
  if (entry.type === '5') return 'dir';
  throw refuse(entry, `it is ${TYPE_NAMES[entry.type] ?? `an entry of unsupported type ${JSON.stringify(entry.type)}`}; packs hold only files and folders`);
}

/**
 * The entry's path relative to `<module>/` ('' for the module folder itself), as '/'-joined
 * segments. Refuses absolute paths, `..`, backslashes, control characters, and anything not
 * under `<module>/`. Empty and `.` segments are dropped, so `m//a` and `m/./a` are `a`.
 */
export function relativeEntryPath(entry: TarEntry, module: string): string {
  const raw = entry.path;
  if (raw === '') throw refuse(entry, 'it has an empty path');
  // deno-lint-ignore no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw refuse(entry, 'its path holds control characters');
  if (raw.includes('\\')) throw refuse(entry, 'its path holds a backslash (a Windows separator)');
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw refuse(entry, 'its path is absolute');
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw refuse(entry, 'its path climbs out with ".."');
  if (segments[0] !== module) throw refuse(entry, `it is outside the module folder "${module}/"`);
  return segments.slice(1).join('/');
}

/**
 * Remembers every path seen, so the same path twice, a folder where a file was, or an entry
 * below a file is refused (each could overwrite or redirect what an earlier entry wrote).
 */
export class PathRegistry {
  #kinds = new Map<string, EntryKind | 'implied'>();

  add(entry: TarEntry, rel: string, kind: EntryKind): void {
    const segments = rel === '' ? [] : rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (this.#kinds.get(parent) === 'file') throw refuse(entry, `it lies below the file "${parent}"`);
      if (!this.#kinds.has(parent)) this.#kinds.set(parent, 'implied');
    }
    const before = this.#kinds.get(rel);
    if (before === 'file' || before === 'dir' || (before === 'implied' && kind === 'file')) throw refuse(entry, 'a duplicate of an earlier entry');
    this.#kinds.set(rel, kind);
  }
}
