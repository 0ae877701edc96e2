/**
 * `providers:vendor`: pins a verified pack into an infra. Order, so that a failure at any step
 * leaves the infra as it was: download and verify (a private temp folder) → under the infra's
 * lock (one infra edit, lib/infra/edit/), every check (records, manifest entry, an existing copy)
 * → extract into a staging folder beside the copy (extractPack: safe entries, PACK.json digests)
 * → in one transaction: the old copy renamed aside, the staged one renamed into place,
 * manifest.toml, providers.manifest.yaml, the link removed; on a failure the transaction puts
 * everything back (renames only, never a delete that could stop half-way). Once the records are
 * written, deleting the old copy is cleanup: a failure there is a warning naming the leftover
 * `.<module>.previous-*` folder, and the change stands.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractPack } from '../archive/extract-pack.ts';
import type { Config, Language } from '../config/types.ts';
import { type Problem, ProvisioningError } from '../errors.ts';
import { sri } from '../formats/integrity.ts';
import { PACK_MANIFEST } from '../formats/pack-json.ts';
import { FLAGS, type ProviderRecord, setFlag } from '../formats/records/index.ts';
import { dependencyIs, getDependency } from '../formats/toml/dependencies.ts';
import { isInsideReal } from '../fs/inside.ts';
import { onInterrupt } from '../fs/interrupt.ts';
import { assertName, moduleName } from '../names.ts';
import { type FetchedPack, fetchOpened, fetchVerifiedPack } from '../registry/fetch.ts';
import { ociSource } from '../registry/oci/source.ts';
import { pinnedOciSource } from '../registry/ref.ts';
import { assertRange } from '../versions.ts';
import { ociClient, packSource } from '../registry/source.ts';
import { findInfra, type Infra } from '../tree/infras.ts';
import { linkPathOf, moduleDirOf, rootRelative, vendorDirOf } from '../tree/layout.ts';
import { editInfra, type InfraEdit } from './edit/open.ts';
import { assertRecordOwned, claimDependency, dependencyFor, preexistingLine, putRecord } from './edit/ownership.ts';
import { inspectLink, linksTo } from './link.ts';
import { inspectVendoredCopy, vendorModified } from './vendored-copy.ts';

export interface VendorOptions {
  config: Config;
  /** Provider name (`upcloud`). It need not exist in this tree when a registry has it. Required. */
  provider: string;
  /** Infra name (`wuji`). Required. */
  infra: string;
  /** Semver range; the highest matching version is vendored. Required. */
  range: string;
  /** A registry folder, an http(s) URL or `oci://HOST/NAMESPACE`. Default: `[distribution] registry`, else the root's own distribution. */
  registry?: string | undefined;
  /** Replace a locally edited vendored copy and a hand-edited manifest.toml entry. Default false. */
  force?: boolean;
  /** Folder a relative `registry` is resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Talk plain HTTP to an OCI registry. Default `[distribution.oci] plain_http`. */
  plainHttp?: boolean | undefined;
}

export interface VendorResult {
  provider: string;
  infra: string;
  record: ProviderRecord;
  /** `workspace/infra/<infra>/vendor/<module>`. */
  dir: string;
  /** Key id of the verified signature, when one was checked. */
  keyId?: string;
  /** What changed; empty when that exact pack was already vendored intact. */
  changes: string[];
  warnings: Problem[];
}

export async function vendorProvider({ config, provider, infra: infraName, range, registry, force = false, cwd = process.cwd(), plainHttp }: VendorOptions): Promise<VendorResult> {
  const name = assertName('provider', provider);
  const infra = await findInfra(config, infraName);
  assertRange(range);
  const module = moduleName(name);
  const source = packSource(config, registry, { cwd, plainHttp });
  const tmpDir = await mkdtemp(path.join(tmpdir(), 'provisioning-vendor-'));
  const forgetTmp = onInterrupt(() => rmSync(tmpDir, { recursive: true, force: true }));
  try {
    const fetched = await fetchVerifiedPack({ source, module, range, signing: config.distribution.signing, tmpDir });
    const dir = vendorDirOf(infra, module);
    const edited = await withStaging(infra, module, (staging) => editInfra(config, infra, (edit) => place(edit, name, fetched, staging, force)));
    const { record, replaced, warnings } = edited.planned;
    const changes = edited.changes.length === 0 ? [] : [
      `${replaced ? 'replaced' : 'extracted'} ${rootRelative(config, dir)}/ (${module} ${fetched.version})`,
      ...edited.changes.filter((c) => !c.startsWith('placed ') && !(replaced && c === `removed ${rootRelative(config, dir)}/`)),
    ];
    return {
      provider: name,
      infra: infra.name,
      record,
      dir: rootRelative(config, dir),
      changes,
      ...(fetched.keyId ? { keyId: fetched.keyId } : {}),
      warnings: [...fetched.warnings, ...warnings, ...edited.warnings],
    };
  } finally {
    forgetTmp();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/**
 * A staging folder for `module`'s copy beside it in `<infra>/vendor/`, and the cleanup that
 * removes what is left of it (put back there by a rollback) and a `vendor/` made for it; Ctrl-C
 * removes it too.
 */
function stagingFolder(infra: Infra, module: string): { staging: string; cleanup: () => Promise<void> } {
  const vendorRoot = path.dirname(vendorDirOf(infra, module));
  const staging = path.join(vendorRoot, `.${module}.incoming-${randomBytes(4).toString('hex')}`);
  const madeVendorRoot = !existsSync(vendorRoot);
  const forget = onInterrupt(() => rmSync(staging, { recursive: true, force: true }));
  return {
    staging,
    cleanup: async () => {
      forget();
      await rm(staging, { recursive: true, force: true });
      if (madeVendorRoot) await rmdir(vendorRoot).catch(() => {});
    },
  };
}

/** Runs `body` with a {@link stagingFolder}, cleaned up afterwards, done or failed. */
async function withStaging<T>(infra: Infra, module: string, body: (staging: string) => Promise<T>): Promise<T> {
  const { staging, cleanup } = stagingFolder(infra, module);
  try {
    return await body(staging);
  } finally {
    await cleanup();
  }
}

/**
 * Extracts a fetched pack into `staging` (made inside the infra's `vendor/`, remembered as the
 * tool's when it makes it), checked entry by entry and against PACK.json; returns the language
 * the pack holds and the digest of its PACK.json.
 */
async function stage(edit: InfraEdit, fetched: FetchedPack, staging: string): Promise<{ language: Language; packManifest: string }> {
  const { config, infra } = edit;
  const vendorRoot = path.dirname(staging);
  if (!existsSync(vendorRoot)) {
    await mkdir(vendorRoot, { recursive: true });
    // Remembered so that remove / install take vendor/ away again once it is left empty.
    setFlag(edit.records, FLAGS.createdVendorFolder, true);
  }
  // The infra edit refused a symlinked vendor/; this also catches one made since, before any rename.
  if (!(await isInsideReal(infra.dir, staging))) {
    throw new ProvisioningError('LINK_CONFLICT', `Cannot vendor into ${rootRelative(config, vendorRoot)}/: it leads outside the infra`, { file: rootRelative(config, vendorRoot) });
  }
  // Named as the user knows it (module, version, registry), never as the temp download.
  const extracted = await extractPack({ tarFile: fetched.tarFile, module: fetched.module, dest: staging, shown: `${fetched.module} ${fetched.version} from ${fetched.where}` });
  if (extracted.name !== fetched.module || extracted.version !== fetched.version) {
    throw new ProvisioningError(
      'INTEGRITY_MISMATCH',
      `Cannot trust ${fetched.module} ${fetched.version} from ${fetched.where}: its PACK.json says ${extracted.name} ${extracted.version}`,
    );
  }
  return { language: languageOf(staging, config.language), packManifest: sri(await readFile(path.join(staging, PACK_MANIFEST))) };
}

/**
 * Puts a vendored copy that went missing (a fresh clone: vendor/ is git-ignored) back in place,
 * fetched by the digest its record names (`oci://HOST/NAMESPACE/<module>@sha256:…`), checked
 * against the recorded integrity, signature and PACK.json digest: what providers:sync does for a
 * vendored record. Its warnings (an unsigned pack, plain HTTP) when it is put back; undefined when
 * the record names no source it can fetch exactly (then the caller reports it missing).
 */
export async function restoreVendoredCopy(edit: InfraEdit, record: ProviderRecord, { plainHttp }: { plainHttp?: boolean | undefined } = {}): Promise<Problem[] | undefined> {
  const at = pinnedOciSource(record.source);
  if (!at || at.module !== record.module || record.version === null || record.integrity === undefined) return undefined;
  const { config, infra } = edit;
  const dir = vendorDirOf(infra, record.module);
  const source = ociSource({ client: ociClient(config, at.registry, { plainHttp }), namespace: at.registry.namespace, cacheDir: config.distribution.cachePath });
  const tmpDir = await mkdtemp(path.join(tmpdir(), 'provisioning-vendor-'));
  const forgetTmp = onInterrupt(() => rmSync(tmpDir, { recursive: true, force: true }));
  const { staging, cleanup } = stagingFolder(infra, record.module);
  edit.cleanups.push(cleanup);
  try {
    const opened = await source.openDigest(record.module, at.digest);
    const fetched = await fetchOpened({ opened, module: record.module, version: record.version, signing: config.distribution.signing, tmpDir, integrity: record.integrity });
    const staged = await stage(edit, fetched, staging);
    if (record.packManifest !== undefined && staged.packManifest !== record.packManifest) {
      throw new ProvisioningError(
        'INTEGRITY_MISMATCH',
        `Cannot restore ${rootRelative(config, dir)}/: the pack's PACK.json is ${staged.packManifest}, the record says ${record.packManifest}`,
      );
    }
    edit.before.push({ kind: 'place', from: staging, dir, label: `restored ${rootRelative(config, dir)}/ (${record.module} ${record.version}) from ${record.source}` });
    return fetched.warnings;
  } finally {
    forgetTmp();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

interface Placed {
  record: ProviderRecord;
  /** An old copy was there (and is moved aside). */
  replaced: boolean;
  warnings: Problem[];
}

/** `nickel` when the pack holds a manifest.toml, `kcl` for a kcl.mod. */
function languageOf(dir: string, fallback: Language): Language {
  if (existsSync(path.join(dir, 'manifest.toml'))) return 'nickel';
  if (existsSync(path.join(dir, 'kcl.mod'))) return 'kcl';
  return fallback;
}

/** Every check, then the staged copy and the plan that puts it in place. */
async function place(edit: InfraEdit, name: string, fetched: FetchedPack, staging: string, force: boolean): Promise<Placed> {
  const { config, infra } = edit;
  const action = `vendor "${name}" into "${infra.name}"`;
  const previous = assertRecordOwned(edit, name, action, force)?.record;
  const dir = vendorDirOf(infra, fetched.module);
  const shown = rootRelative(config, dir);
  const copy = await inspectVendoredCopy({
    dir,
    module: fetched.module,
    ...(previous?.mode === 'vendor' ? { version: previous.version, packManifest: previous.packManifest } : {}),
  });
  if (copy.kind !== 'absent' && !force) {
    if (previous?.mode !== 'vendor') {
      throw new ProvisioningError('VENDOR_MODIFIED', `Cannot vendor into ${shown}/: something is already there that providers:vendor did not record`, {
        file: shown,
        hint: 'move it away, or pass --force to replace it',
      });
    }
    if (copy.kind === 'modified') {
      throw vendorModified(`replace ${shown}/`, shown, copy.reason);
    }
  }
  const linkEntries = (['nickel', 'kcl'] as const).map((language) => dependencyFor(config, { module: fetched.module, mode: 'link', version: null, language }));
  const acceptable = [...(previous ? [dependencyFor(config, previous)] : []), ...linkEntries];
  const unlinks: InfraEdit['after'] = [];
  const warnings: Problem[] = [];
  for (const language of ['nickel', 'kcl'] as const) {
    const linkPath = linkPathOf(config, infra, name, language);
    const link = await inspectLink(linkPath);
    if (link.kind === 'absent') continue;
    // Only a link install recorded is ours to take away; one made by hand is left (and said).
    if (link.kind === 'symlink' && previous?.mode === 'link' && linksTo(link, moduleDirOf(config, name, language))) {
      unlinks.push({ kind: 'unlink', path: linkPath, target: link.target }, { kind: 'rmdir-if-empty', dir: path.dirname(linkPath) });
    } else {
      warnings.push({ code: 'LINK_CONFLICT', message: `${rootRelative(config, linkPath)} was not made by providers:install; left as it is`, file: rootRelative(config, linkPath) });
    }
  }

  // Already vendored, intact, recorded and pinned: nothing to do (the check above found it intact).
  // (A record without pack_manifest, from before it existed, is re-vendored to record it.)
  if (
    previous?.mode === 'vendor' && previous.version === fetched.version && previous.integrity === fetched.integrity && previous.packManifest !== undefined &&
    copy.kind === 'intact' && unlinks.length === 0 && dependencyIs(edit.manifest, fetched.module, dependencyFor(config, previous))
  ) {
    return { record: previous, replaced: false, warnings };
  }
  // The manifest entry is checked before anything is staged.
  // Taken before the claim rewrites it: a line the user wrote before any record is theirs.
  const theirs = !previous && getDependency(edit.manifest, fetched.module) !== undefined ? preexistingLine(edit, fetched.module) : undefined;
  claimDependency(edit, fetched.module, dependencyFor(config, { module: fetched.module, mode: 'vendor', version: fetched.version, language: 'nickel' }), {
    action,
    acceptable,
    force,
  });

  const staged = await stage(edit, fetched, staging);
  // The infra uses one language of the provider; a pack of the other is not what it links.
  const language = staged.language;
  if (previous && previous.language !== language && !force) {
    throw new ProvisioningError(
      'LANGUAGE_MISMATCH',
      `Cannot vendor "${name}" into "${infra.name}": the infra uses its ${previous.language} module, and the pack ${fetched.module} ${fetched.version} holds its ${language} module`,
      {
        hint: `switch the infra first (providers:install --provider ${name} --infra ${infra.name} --lang ${language}), or pass --force to vendor the ${language} pack`,
      },
    );
  }
  const record: ProviderRecord = {
    module: fetched.module,
    mode: 'vendor',
    version: fetched.version,
    source: fetched.where,
    language,
    integrity: fetched.integrity,
    packManifest: staged.packManifest,
  };
  // Remove gives it back as it was.
  const preexisting = previous ? previous.preexistingDependency : theirs;
  if (preexisting) record.preexistingDependency = preexisting;
  putRecord(edit, name, record);
  const replaced = copy.kind !== 'absent';
  if (replaced) edit.before.push({ kind: 'rm-tree', dir, aside: 'previous' });
  edit.before.push({ kind: 'place', from: staging, dir });
  edit.after.push(...unlinks);
  return { record, replaced, warnings };
}
