/**
 * `pack:publish --registry DIR`: copies the local distribution's packages, signatures and
 * metadata into a directory registry (layout.ts). Each file is written atomically (temp file +
 * rename); packs and signatures go first, metadata next, `index.json` last, so a reader never
 * sees an index or metadata naming a file that is not there yet. A published version is
 * immutable: the same version with other bytes is PACK_EXISTS, and nothing is written.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import type { Config } from '../config/types.ts';
import { NAME_PATTERN } from '../names.ts';
import { ProblemsError, ProvisioningError, type Problem } from '../errors.ts';
import { copyFileAtomic } from '../fs/atomic.ts';
import { withLock } from '../fs/lock.ts';
import { nameForStem } from '../pack/from-config.ts';
import { buildMetadata, infoOf, readMetadata, writeMetadata, type PackMetadata, type VersionRecord } from '../formats/metadata.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import type { RegistryIndex } from '../formats/registry-index.ts';
import { writeIndex } from './index-file.ts';
import { metadataFileOf, PACKAGES_DIR, registryPackageFile, SIGNATURE_SUFFIX } from './layout.ts';
import { localPackageFile } from './source.ts';

export interface PublishOptions {
  config: Config;
  /** The registry folder; created when missing. Required. */
  registry: string;
  /** Only this module. Default: every module of the local distribution. */
  module?: string | undefined;
}

export interface PublishedPack {
  module: string;
  version: string;
  /** Relative to the registry. */
  package_file: string;
  status: 'published' | 'unchanged';
  signed: boolean;
}

export interface PublishResult {
  registry: string;
  packs: PublishedPack[];
  index: RegistryIndex;
}

interface Planned {
  stem: string;
  meta: PackMetadata;
  version: string;
  record: VersionRecord;
  tarFile: string;
  signatureFile: string | undefined;
  dest: string;
  destRecord: VersionRecord;
  copyTar: boolean;
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  if (!existsSync(b)) return false;
  return (await readFile(a)).equals(await readFile(b));
}

/** A local metadata file, checked: `name` is the file's stem and a module name. */
interface Source {
  /** The validated stem of `<registry_path>/<stem>.json`: every output file is named from it. */
  stem: string;
  meta: PackMetadata;
}

const PACKAGE_FILE = /^[a-z0-9][a-z0-9_-]*_([^_/]+)\.tar$/;

/**
 * Everything a published path is built from, checked before anything is copied: metadata comes
 * from a cloned repo or a teammate's commit, and a `name` of `../../config/settings` must not
 * name a file outside the registry.
 */
function checkSource(file: string, stem: string, meta: PackMetadata): void {
  const bad = (reason: string) => new ProvisioningError('REGISTRY_ERROR', `Cannot publish "${file}": ${reason}`, {
    file,
    hint: 'fix or remove the file; pack again to rewrite it',
  });
  if (!NAME_PATTERN.test(stem)) throw bad(`its file name is not a module name (${NAME_PATTERN.source})`);
  if (meta.name !== stem) throw bad(`its name ${JSON.stringify(meta.name)} is not its file's name ${JSON.stringify(stem)}`);
  for (const [version, record] of Object.entries(meta.versions)) {
    const tarName = typeof record?.package_file === 'string' ? path.basename(record.package_file) : '';
    if (semver.valid(version) && PACKAGE_FILE.exec(tarName)?.[1] !== version) {
      throw bad(`version ${version} has package_file ${JSON.stringify(record?.package_file)}; expected <module>_${version}.tar`);
    }
  }
}

async function sourceMetadata(config: Config, module: string | undefined): Promise<Source[]> {
  const dir = config.distribution.registryPath;
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const picked = module === undefined ? names : names.filter((n) => n === `${module}.json`);
  if (picked.length === 0) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot publish${module ? ` ${module}` : ''}: no package metadata in ${dir}`, { hint: 'pack first: npx gulp pack:providers' });
  }
  const out: Source[] = [];
  for (const name of picked) {
    const file = path.join(dir, name);
    const meta = readMetadata(file);
    if (!meta) continue;
    const stem = name.slice(0, -'.json'.length);
    checkSource(file, stem, meta);
    out.push({ stem, meta });
  }
  return out;
}

/** Every check, before the first write: source packs intact, no published version changed. */
async function plan(config: Config, registry: string, sources: Source[]): Promise<{ planned: Planned[]; problems: Problem[] }> {
  const planned: Planned[] = [];
  const problems: Problem[] = [];
  for (const { stem, meta } of sources) {
    const published = readMetadata(metadataFileOf(registry, stem));
    for (const version of Object.keys(meta.versions).filter((v) => semver.valid(v)).sort(semver.compare)) {
      const record = meta.versions[version]!;
      const tarFile = localPackageFile(config, record.package_file, metadataFileOf(config.distribution.registryPath, stem), { version, name: stem, nameForStem: nameForStem(config) });
      const tarName = path.basename(tarFile);
      const dest = path.join(registry, PACKAGES_DIR, tarName);
      const actual = await fileIntegrity(tarFile).catch(() => undefined);
      if (!actual) {
        problems.push({ code: 'PACK_NOT_FOUND', message: `Cannot publish ${meta.name} ${version}: ${tarFile} is missing`, file: tarFile });
        continue;
      }
      if (actual.integrity !== record.integrity || actual.size !== record.size) {
        problems.push({ code: 'INTEGRITY_MISMATCH', message: `Cannot publish ${meta.name} ${version}: ${tarFile} does not match its metadata (${actual.integrity}, metadata ${record.integrity})`, file: tarFile, hint: 'run pack:verify' });
        continue;
      }
      const before = published?.versions[version];
      const there = existsSync(dest) ? await fileIntegrity(dest) : undefined;
      const clash = (there && there.integrity !== record.integrity) || (before && before.integrity !== record.integrity);
      if (clash) {
        problems.push({
          code: 'PACK_EXISTS',
          message: `Cannot publish ${meta.name} ${version}: ${registry} already has ${version} with other content (${(there ?? before)!.integrity})`,
          file: dest,
          hint: 'a published version is immutable; bump the version and pack again',
        });
        continue;
      }
      const signatureFile = existsSync(tarFile + SIGNATURE_SUFFIX) ? tarFile + SIGNATURE_SUFFIX : undefined;
      const destRecord = { ...record, package_file: registryPackageFile(tarName) };
      planned.push({ stem, meta, version, record, tarFile, signatureFile, dest, destRecord, copyTar: there === undefined });
    }
  }
  return { planned, problems };
}

/** Throws the problems found by {@link plan}, if any. */
function refuse(problems: Problem[]): void {
  if (problems.length === 1) throw new ProvisioningError(problems[0]!.code, problems[0]!.message, problems[0]!);
  if (problems.length > 1) throw new ProblemsError(problems, `${problems.length} problem(s); nothing was published`);
}

export async function publishPacks({ config, registry, module }: PublishOptions): Promise<PublishResult> {
  if (typeof registry !== 'string' || registry === '') {
    throw new ProvisioningError('INVALID_OPTION', 'Cannot publish: --registry DIR is required', { hint: 'e.g. npx gulp pack:publish --registry /srv/provisioning-registry' });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry)) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot publish to ${JSON.stringify(registry)}: pack:publish writes a folder; serve that folder over http(s)`);
  }
  const dir = path.resolve(registry);
  const sources = await sourceMetadata(config, module);
  // A refusal writes nothing, not even an empty folder. The lock lives in the registry folder, so
  // a new one is checked first (it holds nothing yet to clash with), then made; the checks run
  // again under the lock, and packages/ and registry/ are made only once they all passed.
  if (!existsSync(dir)) {
    refuse((await plan(config, dir, sources)).problems);
    await mkdir(dir, { recursive: true });
  }
  return withLock(dir, async () => {
    const { planned, problems } = await plan(config, dir, sources);
    refuse(problems);
    await mkdir(path.join(dir, PACKAGES_DIR), { recursive: true });
    await mkdir(path.dirname(metadataFileOf(dir, 'x')), { recursive: true });
    const packs: PublishedPack[] = [];
    // 1. Packs and signatures: a new name appears complete or not at all.
    for (const p of planned) {
      if (p.copyTar) await copyFileAtomic(p.tarFile, p.dest);
      let sigChanged = false;
      if (p.signatureFile && !(await sameBytes(p.signatureFile, p.dest + SIGNATURE_SUFFIX))) {
        await copyFileAtomic(p.signatureFile, p.dest + SIGNATURE_SUFFIX);
        sigChanged = true;
      }
      packs.push({ module: p.stem, version: p.version, package_file: p.destRecord.package_file, status: p.copyTar || sigChanged ? 'published' : 'unchanged', signed: existsSync(p.dest + SIGNATURE_SUFFIX) });
    }
    // 2. Metadata, merged with what was published before (versions since cleaned locally stay).
    for (const { stem, meta } of sources) {
      const file = metadataFileOf(dir, stem);
      const previous = readMetadata(file);
      const versions: Record<string, VersionRecord> = { ...previous?.versions };
      for (const p of planned.filter((x) => x.stem === stem)) versions[p.version] = p.destRecord;
      const next = buildMetadata({ name: stem, versions, info: infoOf(meta), previous });
      if (next && JSON.stringify(next) !== JSON.stringify(previous)) await writeMetadata(file, next);
    }
    // 3. The index, last.
    return { registry: dir, packs, index: await writeIndex(dir) };
  });
}
