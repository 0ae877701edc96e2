/**
 * `pack:verify`: every package of the local distribution against its metadata (SRI integrity
 * and size) and, where public keys are configured, its minisign signature. Reports every
 * problem found, never only the first; never writes.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import type { Config } from '../config/types.ts';
import { isProvisioningError, type Problem, ProvisioningError, toProblem } from '../errors.ts';
import { nameForStem, repackHint } from '../pack/from-config.ts';
import { type PackMetadata, readMetadata } from '../formats/metadata.ts';
import { verifyFile } from '../sign/verify-file.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import { SIGNATURE_SUFFIX } from './layout.ts';
import { localPackageFile } from './source.ts';

export interface VerifyPacksOptions {
  config: Config;
  /** Only this module (`aws_prov`, `provisioning_core`). Default: every module. */
  module?: string | undefined;
  /** Only versions matching this version or range. Default: every version. */
  range?: string | undefined;
}

export type SignatureStatus = 'verified' | 'missing' | 'invalid' | 'not checked';

export interface VerifiedPack {
  module: string;
  version: string;
  /** Root-relative path of the tar. */
  file: string;
  integrity: 'ok' | 'mismatch' | 'missing';
  signature: SignatureStatus;
  /** Key id of a verified signature. */
  keyId?: string;
}

export interface VerifyPacksResult {
  packs: VerifiedPack[];
  errors: Problem[];
  warnings: Problem[];
}

function versionFilter(range: string | undefined): (v: string) => boolean {
  if (range === undefined) return () => true;
  if (semver.valid(range) === range) return (v) => v === range;
  if (semver.validRange(range) === null) throw new ProvisioningError('INVALID_OPTION', `Cannot use --ver ${JSON.stringify(range)}: not a version or semver range`);
  return (v) => semver.satisfies(v, range);
}

/** The metadata's top-level fields must repeat its newest `versions` entry. */
function checkTopLevel(meta: PackMetadata, file: string): Problem[] {
  const entry = meta.versions[meta.version];
  if (entry === undefined) return [{ code: 'INTEGRITY_MISMATCH', message: `${meta.name}: metadata names version ${meta.version} but has no versions entry for it`, file }];
  if (entry.integrity !== meta.integrity || entry.size !== meta.size) {
    return [{
      code: 'INTEGRITY_MISMATCH',
      message: `${meta.name}: metadata's top-level integrity/size disagree with versions.${meta.version}`,
      file,
      hint: 'the metadata was edited; re-pack the version to rewrite it',
    }];
  }
  return [];
}

export async function verifyPacks({ config, module, range }: VerifyPacksOptions): Promise<VerifyPacksResult> {
  const accept = versionFilter(range);
  const { registryPath } = config.distribution;
  const { publicKeys, requireSignatures } = config.distribution.signing;
  const rel = (file: string) => path.relative(config.root, file).split(path.sep).join('/');
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const packs: VerifiedPack[] = [];
  if (requireSignatures && publicKeys.length === 0) {
    errors.push({
      code: 'CONFIG_INVALID',
      message: 'require_signatures is set but [distribution.signing] public_keys is empty: no signature can be checked',
      hint: 'add the .pub file of the signing key to public_keys',
    });
  }
  const names = (await readdir(registryPath).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const files = module === undefined ? names : names.filter((n) => n === `${module}.json`);
  if (module !== undefined && files.length === 0) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot verify ${module}: ${rel(registryPath)} has no metadata for it`, {
      hint: 'pack it first (npx gulp pack:provider --provider <name>)',
    });
  }
  for (const name of files) {
    const metaFile = path.join(registryPath, name);
    let meta: PackMetadata | undefined;
    try {
      meta = await readMetadata(metaFile);
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      errors.push(toProblem(error));
      continue;
    }
    if (!meta || typeof meta.name !== 'string') continue;
    errors.push(...checkTopLevel(meta, rel(metaFile)));
    const versions = Object.keys(meta.versions).filter((v) => semver.valid(v) && accept(v)).sort(semver.rcompare);
    for (const version of versions) packs.push(await verifyOne(config, meta, version, { publicKeys, requireSignatures, errors, warnings, rel, metaFile: rel(metaFile) }));
  }
  if (range !== undefined && packs.length === 0) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot verify: no package${module ? ` of ${module}` : ''} matches --ver ${range}`);
  }
  return { packs, errors, warnings };
}

interface VerifyContext {
  publicKeys: string[];
  requireSignatures: boolean;
  errors: Problem[];
  warnings: Problem[];
  rel: (file: string) => string;
  /** The metadata file, root-relative, for problems. */
  metaFile: string;
}

async function verifyOne(config: Config, meta: PackMetadata, version: string, ctx: VerifyContext): Promise<VerifiedPack> {
  const record = meta.versions[version]!;
  let tarFile: string;
  try {
    // This tree's pack_path, whatever folder the metadata names (a copied tree names the original's).
    tarFile = localPackageFile(config, record?.package_file, ctx.metaFile, { version, name: meta.name, nameForStem: nameForStem(config) });
  } catch (error) {
    if (!isProvisioningError(error)) throw error;
    ctx.errors.push(toProblem(error));
    return { module: meta.name, version, file: String(record?.package_file), integrity: 'missing', signature: 'not checked' };
  }
  const row: VerifiedPack = { module: meta.name, version, file: ctx.rel(tarFile), integrity: 'ok', signature: 'not checked' };
  let actual;
  try {
    actual = await fileIntegrity(tarFile);
  } catch {
    ctx.errors.push({ code: 'PACK_NOT_FOUND', message: `${meta.name} ${version}: package ${row.file} is missing`, file: row.file, hint: repackHint(config, meta.name, version) });
    return { ...row, integrity: 'missing' };
  }
  if (actual.integrity !== record.integrity || actual.size !== record.size) {
    row.integrity = 'mismatch';
    ctx.errors.push({
      code: 'INTEGRITY_MISMATCH',
      message: `${meta.name} ${version}: ${row.file} is ${actual.integrity} (${actual.size} bytes), the metadata says ${record.integrity} (${record.size} bytes)`,
      file: row.file,
      hint: 'the package or its metadata was altered after packing',
    });
  }
  if (ctx.publicKeys.length === 0) return row;
  try {
    const verified = await verifyFile({ file: tarFile, signatureFile: tarFile + SIGNATURE_SUFFIX, publicKeys: ctx.publicKeys, signedName: path.basename(tarFile) });
    return { ...row, signature: 'verified', keyId: verified.keyId };
  } catch (error) {
    if (!isProvisioningError(error)) throw error;
    const problem = { ...toProblem(error), message: `${meta.name} ${version}: ${error.message}` };
    if (error.code === 'SIGNATURE_MISSING') {
      (ctx.requireSignatures ? ctx.errors : ctx.warnings).push(problem);
      return { ...row, signature: 'missing' };
    }
    ctx.errors.push(problem);
    return { ...row, signature: 'invalid' };
  }
}
