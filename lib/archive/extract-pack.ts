/**
 * Extracts a pack (`<module>_<version>.tar`) safely: everything goes into a fresh temp folder
 * beside `dest`; every entry is checked before it is written; every file is checked against
 * PACK.json; only then is the temp folder renamed to `dest`. On any failure the temp folder is
 * removed, so a refused pack leaves no trace and `dest` is as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { isInside } from '../fs/inside.ts';
import { onInterrupt } from '../fs/interrupt.ts';
import { entryKind, PathRegistry, refuse, relativeEntryPath } from './entry-policy.ts';
import { compareDigests, sameDigests } from './hash-folder.ts';
import { PACK_MANIFEST, type PackManifest, parsePackManifest } from '../formats/pack-json.ts';
import { TarReader } from '../formats/tar/read.ts';

export interface ExtractPackOptions {
  /** The pack's tar file. Required. */
  tarFile: string;
  /** The module folder every entry must be under, e.g. `upcloud_prov`. Required. */
  module: string;
  /** Where the module's content ends up (it becomes `dest/PACK.json`, `dest/…`). Required. */
  dest: string;
  /** Replace an existing `dest` (old moved aside, new renamed in, old deleted). Default false. */
  replace?: boolean;
  /** Most bytes of file data to accept, per entry and in total. Default 256 MiB. */
  maxBytes?: number;
  /** Most entries to accept. Default 20000. */
  maxEntries?: number;
  /**
   * What the pack is called in messages when `tarFile` is a download nobody knows
   * (`aws_prov 0.2.0 from oci://…`); then no `file` is named. Default: `tarFile`, named as the file.
   */
  shown?: string | undefined;
}

export interface ExtractedPack extends PackManifest {
  /** The absolute destination. */
  dest: string;
}

/** The pack writer's module names (reproducible-tar): one plain path segment, never `.`/`..`. */
const MODULE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function option<T>(name: string, value: T, ok: (v: T) => boolean, expected: string): T {
  if (!ok(value)) throw new ProvisioningError('INVALID_OPTION', `The "${name}" option must be ${expected}, got ${JSON.stringify(value)}`);
  return value;
}

/** Files up to this size are written in one synchronous call. */
const SMALL_FILE = 1 << 20;

const exists = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);

/** Reads and writes every entry into `tmp`, returning the sha256 of each file (PACK.json's text aside). */
async function extractEntries(
  tarFile: string,
  module: string,
  tmp: string,
  maxBytes: number,
  maxEntries: number,
): Promise<{ digests: Record<string, string>; manifestText: string | undefined }> {
  const handle = await open(tarFile, 'r');
  try {
    const reader = new TarReader(handle, (await handle.stat()).size);
    const registry = new PathRegistry();
    // No prototype: an entry named `__proto__` is a key like any other, never a setter.
    const digests: Record<string, string> = Object.create(null);
    let manifestText: string | undefined;
    // Folders made so far: a file's parent is made once, not once per file.
    const made = new Set<string>([tmp]);
    let total = 0;
    let count = 0;
    for (let entry = await reader.next(); entry !== undefined; entry = await reader.next()) {
      if (++count > maxEntries) throw refuse(entry, `the pack has more than ${maxEntries} entries (maxEntries)`);
      const kind = entryKind(entry);
      const rel = relativeEntryPath(entry, module);
      registry.add(entry, rel, kind);
      const target = path.join(tmp, ...(rel === '' ? [] : rel.split('/')));
      if (!isInside(tmp, target)) throw refuse(entry, 'it resolves outside the extraction folder'); // unreachable after the checks above; kept as the last line of defence
      if (kind === 'dir') {
        if (entry.size !== 0) throw refuse(entry, 'a folder entry that carries data');
        await mkdir(target, { recursive: true, mode: 0o755 });
        made.add(target);
        continue;
      }
      if (rel === '') throw refuse(entry, 'the module folder itself is stored as a file');
      if (entry.size > maxBytes || total + entry.size > maxBytes) {
        throw refuse(entry, `its ${entry.size} bytes take the pack past ${maxBytes} bytes (maxBytes)`);
      }
      total += entry.size;
      const parent = path.dirname(target);
      if (!made.has(parent)) {
        await mkdir(parent, { recursive: true, mode: 0o755 });
        made.add(parent);
      }
      const mode = (entry.mode & 0o111) !== 0 ? 0o755 : 0o644;
      const hash = createHash('sha256');
      const keep: Uint8Array[] = [];
      if (entry.size <= SMALL_FILE) {
        // Most pack files are a few KB: read whole, written in one call (three syscalls, no
        // round trips through the thread pool). 'wx': never through anything that already exists.
        await reader.body(entry, async (chunk) => void keep.push(chunk));
        const data = Buffer.concat(keep);
        hash.update(data);
        writeFileSync(target, data, { flag: 'wx', mode });
      } else {
        const out = await open(target, 'wx', mode);
        try {
          await reader.body(entry, async (chunk) => {
            hash.update(chunk);
            if (rel === PACK_MANIFEST) keep.push(chunk);
            await out.write(chunk);
          });
        } finally {
          await out.close();
        }
      }
      if (rel === PACK_MANIFEST) manifestText = Buffer.concat(keep).toString('utf8');
      else digests[rel] = hash.digest('hex');
    }
    return { digests, manifestText };
  } finally {
    await handle.close();
  }
}

function checkIntegrity(tarFile: string, module: string, manifestText: string | undefined, digests: Record<string, string>, shown: string | undefined): PackManifest {
  const name = shown ?? `"${tarFile}"`;
  const at = shown === undefined ? { file: tarFile } : {};
  const source = `${shown ?? tarFile}:${module}/${PACK_MANIFEST}`;
  if (manifestText === undefined) {
    throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${name}: it has no ${module}/${PACK_MANIFEST}`, at);
  }
  const manifest = parsePackManifest(manifestText, source);
  const diff = compareDigests(manifest.files, digests);
  if (!sameDigests(diff)) {
    const parts = [
      diff.changed.length ? `changed: ${diff.changed.slice(0, 5).join(', ')}` : '',
      diff.missing.length ? `missing: ${diff.missing.slice(0, 5).join(', ')}` : '',
      diff.extra.length ? `not in ${PACK_MANIFEST}: ${diff.extra.slice(0, 5).join(', ')}` : '',
    ].filter(Boolean);
    throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${name}: its files disagree with ${PACK_MANIFEST} (${parts.join('; ')})`, {
      ...at,
      hint: 'the pack was altered after packing; re-download or re-pack it',
    });
  }
  return manifest;
}

/** Moves `tmp` to `dest`; with `replace`, the old `dest` is renamed aside first and deleted last. */
async function moveIntoPlace(tmp: string, dest: string, replace: boolean): Promise<void> {
  if (!(await exists(dest))) {
    await rename(tmp, dest);
    return;
  }
  if (!replace) throw destExists(dest);
  const old = path.join(path.dirname(dest), `.${path.basename(dest)}.old-${randomBytes(4).toString('hex')}`);
  await rename(dest, old);
  try {
    await rename(tmp, dest);
  } catch (error) {
    await rename(old, dest);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

function destExists(dest: string): ProvisioningError {
  return new ProvisioningError('OUTPUT_UNWRITABLE', `Cannot extract into "${dest}": it already exists`, { file: dest, hint: 'pass replace: true (or --force) to replace it' });
}

/**
 * Extracts `tarFile` (every entry under `<module>/`) into `dest`, all or nothing.
 * Refusals: UNSAFE_ARCHIVE_ENTRY naming the entry (links, devices, FIFOs, absolute or `..`
 * paths, entries outside `<module>/`, duplicates, pax/GNU long names that escape, size or
 * count beyond the limits, a damaged tar) or INTEGRITY_MISMATCH (PACK.json missing, malformed,
 * or disagreeing with the files). Nothing outside a temp folder beside `dest` is written
 * before every check has passed (`dest`'s parent folder is created if missing).
 */
export async function extractPack({ tarFile, module, dest, replace = false, maxBytes = 256 * 1024 * 1024, maxEntries = 20000, shown }: ExtractPackOptions): Promise<ExtractedPack> {
  option('tarFile', tarFile, (v) => typeof v === 'string' && v !== '', 'a non-empty string');
  option('module', module, (v) => typeof v === 'string' && MODULE_PATTERN.test(v), `a module name matching ${MODULE_PATTERN.source}`);
  option('dest', dest, (v) => typeof v === 'string' && v !== '', 'a non-empty string');
  option('maxBytes', maxBytes, (v) => Number.isSafeInteger(v) && v >= 0, 'a non-negative integer');
  option('maxEntries', maxEntries, (v) => Number.isSafeInteger(v) && v > 0, 'a positive integer');
  const target = path.resolve(dest);
  if (!replace && (await exists(target))) throw destExists(target);
  try {
    if (!(await stat(tarFile)).isFile()) throw new Error('not a file');
  } catch (error) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot extract "${tarFile}": it is not a readable file`, { file: tarFile, cause: error });
  }
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.extract-`));
  const forget = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    const { digests, manifestText } = await extractEntries(tarFile, module, tmp, maxBytes, maxEntries);
    const manifest = checkIntegrity(tarFile, module, manifestText, digests, shown);
    await chmod(tmp, 0o755); // mkdtemp makes it 0700
    await moveIntoPlace(tmp, target, replace);
    return { ...manifest, dest: target };
  } finally {
    forget();
    await rm(tmp, { recursive: true, force: true });
  }
}
