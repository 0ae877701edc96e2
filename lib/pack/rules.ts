/**
 * What goes into a pack, and the fixed values that make it reproducible.
 */
import { ProvisioningError } from '../errors.ts';

/**
 * The mtime of every entry when `SOURCE_DATE_EPOCH` is unset: 1985-10-26T08:15:00Z, the date
 * npm's pacote uses. Any fixed date would do; it must not be the clock or the files' mtimes,
 * which differ between checkouts, so the same sources always give the same bytes. It is after
 * 1980 so zip-minded tools that cannot store earlier dates are not upset.
 */
export const FIXED_MTIME = Date.UTC(1985, 9, 26, 8, 15, 0) / 1000;

/** `SOURCE_DATE_EPOCH` (https://reproducible-builds.org/specs/source-date-epoch/) or {@link FIXED_MTIME}. */
export function packMtime(env: Record<string, string | undefined> = process.env): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return FIXED_MTIME;
  if (!/^\d+$/.test(raw)) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot use SOURCE_DATE_EPOCH=${JSON.stringify(raw)}: expected whole seconds since 1970`);
  }
  return Number(raw);
}

const JUNK_NAMES = new Set(['.git', '.hg', '.svn', '.DS_Store', 'Thumbs.db', 'desktop.ini', '.directory', 'PACK.json']);

/**
 * Version-control folders and editor/OS litter, never packed: `.git`, `.DS_Store`, `Thumbs.db`,
 * backups (`x~`), vim swap files, emacs locks (`.#x`, `#x#`), macOS resource forks (`._x`).
 * A source `PACK.json` is dropped too: the pack writes its own.
 */
export function isJunk(name: string): boolean {
  return (
    JUNK_NAMES.has(name) ||
    name.endsWith('~') ||
    /\.sw[a-p]$/.test(name) ||
    name.startsWith('.#') ||
    (name.startsWith('#') && name.endsWith('#')) ||
    name.startsWith('._')
  );
}

/** True when any segment of a `/`-separated relative path is junk. */
export function isJunkPath(rel: string): boolean {
  return rel.split('/').some(isJunk);
}

/** 0o755 for anything executable by anyone, else 0o644: owners, groups and umask never leak in. */
export function normaliseMode(mode: number | undefined): number {
  return mode !== undefined && (mode & 0o111) !== 0 ? 0o755 : 0o644;
}
