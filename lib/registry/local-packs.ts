/**
 * The local distribution's packs as publishing sees them: every version each metadata file of
 * `registry_path` lists, its tar in this tree's `pack_path`, and its `.minisig`; and the checks
 * every one passes before anything is published anywhere: the metadata names only files of
 * this tree, the tar matches its integrity and size, and a signature verifies (with the public
 * keys, or the configured secret key's own) and names this very file, or is there when
 * `require_signatures` asks for it.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import type { Config } from '../config/types.ts';
import { isProvisioningError, type Problem, ProvisioningError } from '../errors.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import { type PackMetadata, readMetadata, type VersionRecord } from '../formats/metadata.ts';
import { formatPublicKey } from '../formats/minisign.ts';
import { NAME_PATTERN, parsePackFileName } from '../names.ts';
import { nameForStem, repackHint } from '../pack/from-config.ts';
import { loadSecretKey } from '../sign/keys.ts';
import { verifyFile } from '../sign/verify-file.ts';
import { SIGNATURE_SUFFIX } from './layout.ts';
import { localPackageFile } from './source.ts';

export interface LocalPack {
  /** The module's metadata name (`aws_prov`, `provisioning_core`), checked: every published name is built from it. */
  name: string;
  meta: PackMetadata;
  version: string;
  record: VersionRecord;
  /** `<pack_path>/<module>_<version>.tar` of this tree. */
  tarFile: string;
  /** Its `.minisig`, when there is one (checked by {@link checkLocalPacks}). */
  signatureFile?: string | undefined;
}

/**
 * A local metadata file's names, checked before any path is built from them: it comes from a
 * cloned repo or a teammate's commit, and a `name` of `../../config/settings` must not name a
 * file outside the registry.
 */
function checkSource(file: string, stem: string, meta: PackMetadata): void {
  const bad = (reason: string) =>
    new ProvisioningError('REGISTRY_ERROR', `Cannot publish "${file}": ${reason}`, { file, hint: 'fix or remove the file; pack again to rewrite it' });
  if (!NAME_PATTERN.test(stem)) throw bad(`its file name is not a module name (${NAME_PATTERN.source})`);
  if (meta.name !== stem) throw bad(`its name ${JSON.stringify(meta.name)} is not its file's name ${JSON.stringify(stem)}`);
  for (const [version, record] of Object.entries(meta.versions)) {
    const tarName = typeof record?.package_file === 'string' ? path.basename(record.package_file) : '';
    if (semver.valid(version) && parsePackFileName(tarName)?.version !== version) {
      throw bad(`version ${version} has package_file ${JSON.stringify(record?.package_file)}; expected <module>_${version}.tar`);
    }
  }
}

/** Every local pack (of `module` only, when given), oldest version first; PACK_NOT_FOUND when there is none. */
export async function localPacks(config: Config, module?: string): Promise<LocalPack[]> {
  const dir = config.distribution.registryPath;
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const picked = module === undefined ? names : names.filter((n) => n === `${module}.json`);
  if (picked.length === 0) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot publish${module ? ` ${module}` : ''}: no package metadata in ${dir}`, { hint: 'pack first: npx gulp pack:providers' });
  }
  const packs: LocalPack[] = [];
  for (const file of picked.map((n) => path.join(dir, n))) {
    const meta = readMetadata(file);
    if (!meta) continue;
    const name = path.basename(file, '.json');
    checkSource(file, name, meta);
    for (const version of Object.keys(meta.versions).filter((v) => semver.valid(v)).sort(semver.compare)) {
      const record = meta.versions[version]!;
      const tarFile = localPackageFile(config, record.package_file, file, { version, name, nameForStem: nameForStem(config) });
      const signatureFile = existsSync(tarFile + SIGNATURE_SUFFIX) ? tarFile + SIGNATURE_SUFFIX : undefined;
      packs.push({ name, meta, version, record, tarFile, signatureFile });
    }
  }
  return packs;
}

/**
 * The keys a local signature is checked with: `public_keys`, what every consumer checks with;
 * only when there are none, the configured secret key's own public half.
 */
async function trustedKeys(config: Config): Promise<string[]> {
  const { publicKeys, secretKey } = config.distribution.signing;
  if (publicKeys.length > 0 || secretKey === undefined) return [...publicKeys];
  const key = await loadSecretKey({ secretKeyFile: secretKey });
  return [formatPublicKey({ keyId: key.keyId, publicKey: key.secretKey.subarray(32) })];
}

/** Every problem of the packs, before anything is published: all of them, not the first. */
export async function checkLocalPacks(config: Config, packs: readonly LocalPack[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const keys = await trustedKeys(config);
  const { requireSignatures } = config.distribution.signing;
  for (const p of packs) {
    const label = `${p.name} ${p.version}`;
    const actual = await fileIntegrity(p.tarFile).catch(() => undefined);
    if (!actual) {
      problems.push({ code: 'PACK_NOT_FOUND', message: `Cannot publish ${label}: ${p.tarFile} is missing`, file: p.tarFile, hint: repackHint(config, p.name, p.version) });
      continue;
    }
    if (actual.integrity !== p.record.integrity || actual.size !== p.record.size) {
      problems.push({
        code: 'INTEGRITY_MISMATCH',
        message: `Cannot publish ${label}: ${p.tarFile} does not match its metadata (${actual.integrity}, metadata ${p.record.integrity})`,
        file: p.tarFile,
        hint: 'run pack:verify',
      });
      continue;
    }
    if (p.signatureFile === undefined) {
      if (requireSignatures) {
        problems.push({
          code: 'SIGNATURE_MISSING',
          message: `Cannot publish ${label}: it is not signed, and [distribution.signing] require_signatures is set`,
          file: p.tarFile,
          hint: 'pack it with --sign',
        });
      }
      continue;
    }
    if (keys.length === 0) {
      problems.push({
        code: 'CONFIG_INVALID',
        message: `Cannot publish ${label}: it is signed, and there is no key to check its signature with ([distribution.signing] public_keys is empty)`,
        file: p.signatureFile,
        hint: "add the signing key's .pub file to public_keys",
      });
      continue;
    }
    try {
      await verifyFile({ file: p.tarFile, signatureFile: p.signatureFile, publicKeys: keys, signedName: path.basename(p.tarFile) });
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      problems.push({ code: error.code, message: `Cannot publish ${label}: ${error.message}`, file: p.signatureFile, ...(error.hint ? { hint: error.hint } : {}) });
    }
  }
  return problems;
}
