import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** A running file watcher; close() stops it and lets the process exit. */
export interface FileWatcher {
  /** Resolves once the folders present at the start are watched. */
  ready: Promise<void>;
  close(): void;
}

export interface WatchDirOptions {
  /** Also watch every folder below `dir` (and folders created later). Default: false. */
  recursive?: boolean;
  /** Gets the absolute path that changed, or a folder when the platform did not say which file. */
  onChange(file: string): void;
  /** A watcher failure (the folder went away, too many watches). Default: ignored. */
  onError?(error: unknown): void;
}

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/**
 * Watches a folder. Callers only learn "this path changed" and debounce: editors save in odd
 * ways (write in place, or write a temp file and rename it over), and the event type
 * (`change`/`rename`) means different things on different platforms.
 *
 * Recursive watching takes two routes:
 * - Deno, macOS, Windows: node:fs `watch(dir, { recursive: true })`, backed by the platform's
 *   recursive API (Deno maps it onto its inotify/FSEvents watcher).
 * - Node on Linux: one plain inotify watch per folder, added as folders appear. Node 20's own
 *   `recursive: true` on Linux is a JS walker that watches file inodes: after the first
 *   save-by-rename (sed -i, many editors) it stops seeing that file at all.
 */
export function watchDir(dir: string, { recursive = false, onChange, onError = () => {} }: WatchDirOptions): FileWatcher {
  if (recursive && !isDeno && process.platform === 'linux') return watchFolders(dir, onChange, onError);
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive, persistent: true }, (_event, file) => onChange(file ? path.join(dir, file.toString()) : dir));
  } catch (error) {
    onError(error);
    return { ready: Promise.resolve(), close() {} };
  }
  watcher.on('error', onError);
  return { ready: Promise.resolve(), close: () => watcher.close() };
}

/** A plain watch on `root` and on every folder below it (symbolic links are not followed). */
function watchFolders(root: string, onChange: (file: string) => void, onError: (error: unknown) => void): FileWatcher {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;

  const forget = (dir: string) => {
    for (const [watched, watcher] of watchers) {
      if (watched === dir || watched.startsWith(dir + path.sep)) {
        watcher.close();
        watchers.delete(watched);
      }
    }
  };

  const add = async (dir: string): Promise<void> => {
    if (closed || watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (_event, name) => {
        const file = name ? path.join(dir, name.toString()) : dir;
        onChange(file);
        // A new folder is watched from now on; a folder that went is forgotten.
        if (name) void lstat(file).then((st) => (st.isDirectory() ? add(file) : undefined), () => forget(file));
      });
    } catch (error) {
      if (dir === root) onError(error);
      return;
    }
    watcher.on('error', (error) => (forget(dir), dir === root && onError(error)));
    watchers.set(dir, watcher);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => add(path.join(dir, e.name))));
  };

  return {
    ready: add(root),
    close() {
      closed = true;
      forget(root);
    },
  };
}

/** Names editors and systems write beside the real file (vim's 4913 and .swp, emacs' .#x, x~). */
export function isJunk(file: string): boolean {
  const base = path.basename(file);
  return base === '4913' || base === '.DS_Store' || base.endsWith('~') || /^\.#|\.sw[a-p]$|\.tmp$/.test(base) || /(^|\/)\.git(\/|$)/.test(file);
}
