/**
 * One edit of an infra, the way install, remove, sync and vendor all change one: open it
 * (refuse folders that would lead a change elsewhere, take its lock, read manifest.toml and
 * providers.manifest.yaml), let the caller plan (edit the two documents in memory, list the
 * operations on links and folders), then commit everything in one transaction (lib/infra/edit/commit.ts):
 * any failure puts back what was already done.
 */
import { readlinkSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/types.ts';
import { ProvisioningError } from '../../errors.ts';
import type { TomlManifest } from '../../formats/toml/dependencies.ts';
import type { RecordsFile } from '../../formats/records/index.ts';
import { isInsideReal } from '../../fs/inside.ts';
import { onInterrupt } from '../../fs/interrupt.ts';
import { withLock } from '../../fs/lock.ts';
import { findInfra, type Infra } from '../../tree/infras.ts';
import { modulesDirOf, rootRelative } from '../../tree/layout.ts';
import { readInfraState } from '../state.ts';
import { recordsText } from '../../formats/records/index.ts';
import { execute, type Executed, type Operation } from './commit.ts';

export interface InfraEdit {
  readonly config: Config;
  readonly infra: Infra;
  /** manifest.toml as it was read. */
  readonly original: TomlManifest;
  /** manifest.toml as it will be written; each dependency edit replaces it. */
  manifest: TomlManifest;
  /** providers.manifest.yaml, its document edited in place (`records.text` keeps the bytes read). */
  readonly records: RecordsFile;
  /** Operations run, in order, before the two files are written… */
  readonly before: Operation[];
  /** …and after. */
  readonly after: Operation[];
  /** Files the tool created that go again (their last entry went): deleted instead of written. */
  readonly remove: Set<'manifest' | 'records'>;
  /** Run once the edit is over, committed or not (temp folders the plan made). */
  readonly cleanups: (() => Promise<unknown>)[];
}

/**
 * Refuses (`LINK_CONFLICT`) an infra whose `vendor/` or modules folder (or a folder on the way to
 * it) is a symlink or not a folder: install, remove and vendor rename and delete inside them, and
 * through a symlink that would happen wherever it leads (a shared disk, a teammate's home).
 * Absent folders are fine: they are made as real ones.
 */
export async function assertRealFolders(config: Config, infra: Infra): Promise<void> {
  const folders = [path.join(infra.dir, 'vendor'), ...(['nickel', 'kcl'] as const).map((language) => modulesDirOf(config, infra, language))];
  for (const folder of folders) {
    const parts = path.relative(infra.dir, folder).split(path.sep);
    for (let i = 1; i <= parts.length; i++) {
      const dir = path.join(infra.dir, ...parts.slice(0, i));
      const st = await lstat(dir).catch(() => undefined);
      if (!st) break;
      if (st.isSymbolicLink() || !st.isDirectory()) {
        const shown = rootRelative(config, dir);
        throw new ProvisioningError('LINK_CONFLICT', `Cannot change "${shown}": it is a ${st.isSymbolicLink() ? 'symlink' : 'file'}, not a folder inside the infra`, {
          file: shown,
          hint: 'links and vendored copies are only made, renamed and deleted inside real folders of the infra; make it a real folder',
        });
      }
    }
    if (!(await isInsideReal(infra.dir, folder))) {
      throw new ProvisioningError('LINK_CONFLICT', `Cannot change "${rootRelative(config, folder)}": it resolves outside the infra`, { file: rootRelative(config, folder) });
    }
  }
}

/**
 * Refuses (`LINK_CONFLICT`) a manifest.toml or providers.manifest.yaml that is a symlink leading
 * out of the provisioning root: the write would land there. A link to a file inside the root
 * (a shared records file kept elsewhere in the tree) is written through and stays a link.
 */
async function assertFilesInTree(config: Config, infra: Infra): Promise<string[]> {
  const elsewhere: string[] = [];
  for (const file of [infra.manifestFile, infra.recordFile]) {
    const st = await lstat(file).catch(() => undefined);
    if (!st?.isSymbolicLink()) continue;
    if (await isInsideReal(config.root, file)) {
      // Written where it leads: that folder is locked too, so two infras sharing it queue up.
      const target = path.dirname(await realpath(file).catch(() => path.resolve(path.dirname(file), readlinkSync(file))));
      if (target !== (await realpath(infra.dir))) elsewhere.push(target);
      continue;
    }
    const shown = rootRelative(config, file);
    throw new ProvisioningError('LINK_CONFLICT', `Cannot change "${shown}": it is a symlink leading outside ${config.root}`, {
      file: shown,
      hint: 'the tool edits files of the tree only; make it a real file (or a link inside the tree)',
    });
  }
  return [...new Set(elsewhere)].sort();
}

/** Runs `fn` holding the lock of every folder in `dirs`, taken in order (the same order for everyone). */
async function withLocks<T>(dirs: readonly string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = dirs;
  return first === undefined ? fn() : withLock(first, () => withLocks(rest, fn));
}

export interface EditResult<T> extends Executed {
  /** What the plan returned. */
  planned: T;
}

/**
 * Opens the infra (a name, or one already found) under its lock, runs `plan` on it, and commits what the plan changed:
 * every refusal happens in `plan`, before the first write. Returns the plan's value with what
 * was done (`changes`) and cleanup left undone (`warnings`).
 */
export async function editInfra<T>(config: Config, which: string | Infra, plan: (edit: InfraEdit) => Promise<T>): Promise<EditResult<T>> {
  const infra = typeof which === 'string' ? await findInfra(config, which) : which;
  return withLock(infra.dir, async () => {
    await assertRealFolders(config, infra);
    return withLocks(await assertFilesInTree(config, infra), async () => {
      const { manifest, records } = await readInfraState(config, infra);
      const edit: InfraEdit = { config, infra, original: manifest, manifest, records, before: [], after: [], remove: new Set(), cleanups: [] };
      const forget = onInterrupt(() => Promise.all(edit.cleanups.map((c) => c())));
      try {
        const planned = await plan(edit);
        return { planned, ...(await commitEdit(edit)) };
      } finally {
        forget();
        for (const cleanup of edit.cleanups) await cleanup().catch(() => {});
      }
    });
  });
}

/** The edit's operations with the two files' writes between `before` and `after`. */
async function commitEdit(edit: InfraEdit): Promise<Executed> {
  const { config, infra } = edit;
  return execute(
    [
      ...edit.before,
      edit.remove.has('manifest')
        ? { kind: 'delete', file: infra.manifestFile, previous: edit.original }
        : { kind: 'write', file: infra.manifestFile, text: edit.manifest.text, previous: edit.original },
      edit.remove.has('records')
        ? { kind: 'delete', file: infra.recordFile, previous: edit.records }
        : { kind: 'write', file: infra.recordFile, text: recordsText(edit.records), previous: edit.records },
      ...edit.after,
    ],
    config.root,
    infra.dir,
  );
}
