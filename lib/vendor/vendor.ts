/**
 * `providers:vendor`: pins a verified pack into an infra. Order, so that a failure at any step
 * leaves the infra as it was: download and verify (a private temp folder) → under the infra's
 * lock, every check (records, manifest entry, an existing copy) → extract into a staging folder
 * beside the copy (extractPack: safe entries, PACK.json digests) → rename it into place (the old
 * copy moved aside) → manifest.toml, providers.manifest.yaml and the link in one transaction →
 * on a failure there, the old copy is put back (renames only, never a delete that could stop
 * half-way). Once the records are written, deleting the old copy is cleanup: a failure there is
 * a warning naming the leftover `.<module>.previous-*` folder, and the change stands.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractPack } from '../archive/extract-pack.ts';
import { PACK_MANIFEST } from '../formats/pack-json.ts';
import type { Config, Language } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';
import { isInsideReal } from '../fs/inside.ts';
import { withLock } from '../fs/lock.ts';
import { findInfra, type Infra } from '../infra/find.ts';
import { assertRealFolders, dependencyFor, linkPathOf, moduleDirOf, rootRelative, vendorDirOf } from '../infra/layout.ts';
import { inspectLink, linksTo } from '../infra/link.ts';
import { execute, type Operation } from '../infra/operations.ts';
import { CREATED_VENDOR_KEY } from '../infra/vendor-removal.ts';
import { readInfraState, type InfraState } from '../infra/state.ts';
import { dependencyIs, getDependency, hasDependenciesTable, withDependency } from '../formats/toml/dependencies.ts';
import { listRecords, recordFields, type ProviderRecord } from '../formats/records/read.ts';
import { CREATED_TABLE_KEY, recordsText, setFlag, setRecord } from '../formats/records/edit.ts';
import { assertName, moduleName } from '../names.ts';
import { packSource } from '../registry/source.ts';
import { assertRange, fetchVerifiedPack, type FetchedPack } from './fetch-pack.ts';
import { inspectVendoredCopy } from './vendored-copy.ts';
import { sri } from '../formats/integrity.ts';

export interface VendorOptions {
  config: Config;
  /** Provider name (`upcloud`). It need not exist in this tree when a registry has it. Required. */
  provider: string;
  /** Infra name (`wuji`). Required. */
  infra: string;
  /** Semver range; the highest matching version is vendored. Required. */
  range: string;
  /** A registry folder or http(s) URL. Default: the root's own distribution. */
  registry?: string | undefined;
  /** Replace a locally edited vendored copy and a hand-edited manifest.toml entry. Default false. */
  force?: boolean;
  /** Folder a relative `registry` is resolved against. Default `process.cwd()`. */
  cwd?: string;
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
  warnings: string[];
}

export async function vendorProvider({ config, provider, infra: infraName, range, registry, force = false, cwd = process.cwd() }: VendorOptions): Promise<VendorResult> {
  const name = assertName('provider', provider);
  const infra = await findInfra(config, infraName);
  assertRange(range);
  const module = moduleName(name);
  const source = packSource(config, registry, cwd);
  const tmpDir = await mkdtemp(path.join(tmpdir(), 'provisioning-vendor-'));
  try {
    const fetched = await fetchVerifiedPack({ source, module, range, signing: config.distribution.signing, tmpDir });
    const result = await withLock(infra.dir, () => place(config, infra, name, fetched, force));
    return { ...result, ...(fetched.keyId ? { keyId: fetched.keyId } : {}), warnings: [...fetched.warnings, ...result.warnings] };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

interface Plan {
  state: InfraState;
  previous: ProviderRecord | undefined;
  replaceCopy: boolean;
  links: Operation[];
  warnings: string[];
}

/** Every check, before the first write. */
async function check(config: Config, infra: Infra, name: string, fetched: FetchedPack, force: boolean): Promise<Plan> {
  await assertRealFolders(config, infra);
  const state = await readInfraState(config, infra);
  const entry = listRecords(state.records).find((e) => e.name === name);
  if (entry && !entry.record && !force) {
    const p = entry.problems[0]!;
    throw new ProvisioningError(p.code, p.message, { ...p, hint: 'fix the record, or pass --force to replace it' });
  }
  const previous = entry?.record;
  const dir = vendorDirOf(infra, fetched.module);
  const shown = rootRelative(config, dir);
  const copy = await inspectVendoredCopy({ dir, module: fetched.module, ...(previous?.mode === 'vendor' ? { version: previous.version, packManifest: previous.packManifest } : {}) });
  if (copy.kind !== 'absent' && !force) {
    if (previous?.mode !== 'vendor') {
      throw new ProvisioningError('VENDOR_MODIFIED', `Cannot vendor into ${shown}/: something is already there that providers:vendor did not record`, { file: shown, hint: 'move it away, or pass --force to replace it' });
    }
    if (copy.kind === 'modified') {
      throw new ProvisioningError('VENDOR_MODIFIED', `Cannot replace ${shown}/: it was edited locally (${copy.reason})`, { file: shown, hint: 'keep your edits elsewhere first, or pass --force to discard them' });
    }
  }
  const current = getDependency(state.manifest, fetched.module);
  const acceptable = [undefined, ...(previous ? [dependencyFor(config, previous)] : []), ...(['nickel', 'kcl'] as const).map((language) => dependencyFor(config, { module: fetched.module, mode: 'link', version: null, source: '', language }))];
  if (current !== undefined && !acceptable.some((entry) => dependencyIs(state.manifest, fetched.module, entry)) && !force) {
    throw new ProvisioningError('DRIFT', `Cannot vendor "${name}" into "${infra.name}": ${state.manifest.file} has ${fetched.module} = ${JSON.stringify(current)}`, {
      file: state.manifest.file,
      hint: 'that entry was not written by providers:install or providers:vendor; pass --force to replace it',
    });
  }
  const links: Operation[] = [];
  const warnings: string[] = [];
  for (const language of ['nickel', 'kcl'] as const) {
    const linkPath = linkPathOf(config, infra, name, language);
    const link = await inspectLink(linkPath);
    if (link.kind === 'absent') continue;
    if (link.kind === 'symlink' && linksTo(link, moduleDirOf(config, name, language))) {
      links.push({ kind: 'unlink', path: linkPath, target: link.target }, { kind: 'rmdir-if-empty', dir: path.dirname(linkPath) });
    } else {
      warnings.push(`${rootRelative(config, linkPath)} was not made by providers:install; left as it is`);
    }
  }
  return { state, previous, replaceCopy: copy.kind !== 'absent', links, warnings };
}

/** `nickel` when the pack holds a manifest.toml, `kcl` for a kcl.mod. */
function languageOf(dir: string, fallback: Language): Language {
  if (existsSync(path.join(dir, 'manifest.toml'))) return 'nickel';
  if (existsSync(path.join(dir, 'kcl.mod'))) return 'kcl';
  return fallback;
}

async function place(config: Config, infra: Infra, name: string, fetched: FetchedPack, force: boolean): Promise<Omit<VendorResult, 'keyId'>> {
  const plan = await check(config, infra, name, fetched, force);
  const { state, previous } = plan;
  const dir = vendorDirOf(infra, fetched.module);
  const base = { provider: name, infra: infra.name, dir: rootRelative(config, dir), warnings: plan.warnings };

  // Already vendored, intact, recorded and pinned: nothing to do (the check above found it intact).
  // (A record without pack_manifest, from before it existed, is re-vendored to record it.)
  if (previous?.mode === 'vendor' && previous.version === fetched.version && previous.integrity === fetched.integrity && previous.packManifest !== undefined && plan.replaceCopy && plan.links.length === 0 && dependencyIs(state.manifest, fetched.module, dependencyFor(config, previous))) {
    const copy = await inspectVendoredCopy({ dir, module: fetched.module, version: fetched.version, packManifest: previous.packManifest });
    if (copy.kind === 'intact') return { ...base, record: previous, changes: [] };
  }

  const vendorRoot = path.dirname(dir);
  const madeVendorRoot = !existsSync(vendorRoot);
  const suffix = () => randomBytes(4).toString('hex');
  const staging = path.join(vendorRoot, `.${fetched.module}.incoming-${suffix()}`);
  const aside = path.join(vendorRoot, `.${fetched.module}.previous-${suffix()}`);
  const failed = path.join(vendorRoot, `.${fetched.module}.failed-${suffix()}`);
  const shown = (p: string) => rootRelative(config, p);
  let asideMade = false;
  let placed = false;
  let result: Omit<VendorResult, 'keyId'>;
  try {
    await mkdir(vendorRoot, { recursive: true });
    // assertRealFolders refused a symlinked vendor/; this also catches one made since, before any rename.
    if (!(await isInsideReal(infra.dir, staging))) {
      throw new ProvisioningError('LINK_CONFLICT', `Cannot vendor into ${shown(vendorRoot)}/: it leads outside the infra`, { file: shown(vendorRoot) });
    }
    const extracted = await extractPack({ tarFile: fetched.tarFile, module: fetched.module, dest: staging });
    if (extracted.name !== fetched.module || extracted.version !== fetched.version) {
      throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${fetched.module} ${fetched.version} from ${fetched.where}: its PACK.json says ${extracted.name} ${extracted.version}`);
    }
    const record: ProviderRecord = {
      module: fetched.module,
      mode: 'vendor',
      version: fetched.version,
      source: fetched.where,
      language: languageOf(staging, previous?.language ?? config.language),
      integrity: fetched.integrity,
      packManifest: sri(await readFile(path.join(staging, PACK_MANIFEST))),
    };
    const tomlText = withDependency(state.manifest, fetched.module, dependencyFor(config, record));
    if (!hasDependenciesTable(state.manifest)) setFlag(state.records, CREATED_TABLE_KEY, true);
    // Remembered so that remove / install take vendor/ away again once it is left empty.
    if (madeVendorRoot) setFlag(state.records, CREATED_VENDOR_KEY, true);
    setRecord(state.records, name, recordFields(record));
    if (plan.replaceCopy) {
      await rename(dir, aside);
      asideMade = true;
    }
    await rename(staging, dir);
    placed = true;
    const { changes } = await execute([
      { kind: 'write', file: infra.manifestFile, text: tomlText, previous: state.manifest },
      { kind: 'write', file: infra.recordFile, text: recordsText(state.records), previous: state.records },
      ...plan.links,
    ], config.root, infra.dir);
    result = { ...base, record, changes: [`${plan.replaceCopy ? 'replaced' : 'extracted'} ${base.dir}/ (${fetched.module} ${fetched.version})`, ...changes] };
  } catch (error) {
    // execute() has put the manifests and links back; put the old copy back with renames only.
    const leftovers: string[] = [];
    const tidy = async (folder: string) => rm(folder, { recursive: true, force: true }).catch(() => leftovers.push(shown(folder)));
    await tidy(staging);
    if (placed) await rename(dir, failed).then(() => tidy(failed), () => leftovers.push(shown(dir)));
    if (asideMade) await rename(aside, dir).catch(() => leftovers.push(shown(aside)));
    if (madeVendorRoot) await rmdir(vendorRoot).catch(() => {});
    throw coded(error, `Cannot vendor ${fetched.module} ${fetched.version} into "${infra.name}"`, leftovers);
  }
  // The records now name the new copy: the old one is no longer referenced, and deleting it is cleanup.
  if (asideMade) {
    await rm(aside, { recursive: true, force: true }).catch((error: NodeJS.ErrnoException) => {
      result.warnings = [...result.warnings, `could not delete the previous copy ${shown(aside)}/ (${error.code ?? error.message}); the new one is in place, delete it yourself`];
    });
  }
  return result;
}

/** A raw fs error (EACCES, ENOSPC, …) as a coded one; `leftovers` are folders the rollback could not tidy. */
function coded(error: unknown, action: string, leftovers: string[]): unknown {
  const note = leftovers.length ? ` (left behind: ${leftovers.join(', ')})` : '';
  if (error instanceof ProvisioningError) {
    return note ? new ProvisioningError(error.code, `${error.message}${note}`, { ...(error.hint ? { hint: error.hint } : {}), ...(error.file ? { file: error.file } : {}), cause: error }) : error;
  }
  const e = error as NodeJS.ErrnoException;
  return new ProvisioningError('OUTPUT_UNWRITABLE', `${action}: ${e.code ?? ''} ${e.message ?? String(error)}${note}`.replace(/\s+/g, ' '), {
    ...(e.path ? { file: e.path } : {}),
    hint: 'nothing was changed; check permissions and free space, then run it again',
    cause: error,
  });
}
