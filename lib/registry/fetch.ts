/**
 * Picks the highest version of a module matching a range from a pack source, downloads it to
 * a private temp folder, and checks it before anything else sees it: size and SRI integrity
 * against the metadata, then the minisign signature when keys are configured or required.
 */
import path from 'node:path';
import semver from 'semver';
import type { Config } from '../config/types.ts';
import { closest } from '../did-you-mean.ts';
import { assertRange, isVersion } from '../versions.ts';
import { isProvisioningError, type Problem, ProvisioningError } from '../errors.ts';
import type { VersionRecord } from '../formats/metadata.ts';
import { fileIntegrity, isSri } from '../formats/integrity.ts';
import { fromMetadata, type MetadataSource, packListCommand, type PackSource, type SourcedPack } from './pack-source.ts';
import { verifyFile } from '../sign/verify-file.ts';

export interface FetchPackOptions {
  /** Where from: any source; a metadata source (folder, http) is taken as it is. Required. */
  source: PackSource | MetadataSource;
  /** `aws_prov`. Required. */
  module: string;
  /** A semver range (`^1.0`, `1.2.3`). Required. */
  range: string;
  signing: Config['distribution']['signing'];
  /** An empty private folder the pack is downloaded into. Required. */
  tmpDir: string;
}

export interface FetchedPack {
  module: string;
  version: string;
  /** The downloaded, verified tar (inside `tmpDir`). */
  tarFile: string;
  integrity: string;
  size: number;
  /** Where it came from (a root-relative path, a folder or a URL). */
  where: string;
  /** Key id of the verified signature; undefined when no signature was checked. */
  keyId?: string;
  /** For people: e.g. an unsigned pack accepted because signatures are not required. */
  warnings: Problem[];
}

function checkRecord(record: VersionRecord | undefined, label: string, expectedName: string): VersionRecord {
  if (!record || !isSri(record.integrity) || !Number.isSafeInteger(record.size) || record.size < 0 || typeof record.package_file !== 'string') {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot use ${label}: its metadata entry lacks a sha256 integrity, a size or a package_file`);
  }
  // The file name is what the signature's trusted comment is checked against: it must be this version's.
  if (packageFileName(record.package_file) !== expectedName) {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot use ${label}: its package_file ${JSON.stringify(record.package_file)} is not named ${expectedName}`);
  }
  return record;
}

/** The file name of a `package_file` (`packages/aws_prov_0.2.0.tar`, or an absolute local path). */
function packageFileName(packageFile: string): string {
  return path.posix.basename(packageFile.split('\\').join('/'));
}

/**
 * The modules `source` lists, for "did you mean". A source that cannot list (a registry whose
 * catalog fails, a login refused) is that failure, with its code: "not found" would hide it.
 */
async function knownModules(source: PackSource, module: string): Promise<string[] | undefined> {
  try {
    return await source.modules();
  } catch (error) {
    if (!isProvisioningError(error) || error.code === 'PACK_NOT_FOUND') throw error;
    throw new ProvisioningError(error.code, `Cannot find ${module} in ${source.label}, nor list what it holds: ${error.message}`, {
      ...(error.hint ? { hint: error.hint } : {}),
      cause: error,
    });
  }
}

/**
 * PACK_NOT_FOUND for a module `source` does not have, given what it lists (`known`; undefined
 * when it cannot list): a near name with the pack:list command showing it; for the local
 * distribution, the pack command (and --registry, not given since it is the local one); for a
 * registry that lists nothing, what was asked and a hint to check the --registry value.
 */
function notFound(source: PackSource, module: string, known: string[] | undefined): ProvisioningError {
  const near = known && closest(module, known);
  if (near) {
    return new ProvisioningError('PACK_NOT_FOUND', `Cannot find ${module} in ${source.label}`, {
      hint: `did you mean "${near}"? \`${packListCommand(source, near)}\` shows its versions`,
    });
  }
  const listed = known?.length ? `known modules: ${known.join(', ')}; ` : '';
  if (!source.ref) {
    const provider = module.endsWith('_prov') ? ` --provider ${module.slice(0, -'_prov'.length)}` : '';
    return new ProvisioningError('PACK_NOT_FOUND', `Cannot find ${module} in ${source.label}${known?.length ? '' : ': nothing is packed there yet'}`, {
      hint: `${listed}pack it first (\`npx gulp pack:provider${provider}\`), or pass --registry`,
    });
  }
  if (known) {
    return new ProvisioningError('PACK_NOT_FOUND', `Cannot find ${module} in ${source.label}`, {
      hint: known.length ? `${listed}\`${packListCommand(source)}\` shows every version` : `${source.label} lists no modules: check --registry`,
    });
  }
  return new ProvisioningError('PACK_NOT_FOUND', `Cannot find ${module} in ${source.label}: nothing is there by that name`, {
    hint: source.ref.kind === 'oci'
      ? 'the registry offers no catalog to check the name against: check the module name and the namespace in --registry'
      : `it has no ${module} metadata and no index.json: check the --registry ${source.ref.kind === 'http' ? 'URL' : 'folder'} (the folder pack:publish wrote, holding index.json)`,
  });
}

export async function fetchVerifiedPack({ source: given, module, range, signing, tmpDir }: FetchPackOptions): Promise<FetchedPack> {
  const source = 'open' in given ? given : fromMetadata(given);
  assertRange(range);
  if (signing.requireSignatures && signing.publicKeys.length === 0) {
    throw new ProvisioningError('CONFIG_INVALID', 'Cannot verify signatures: require_signatures is set but [distribution.signing] public_keys is empty', {
      hint: "add the signing key's .pub file to public_keys",
    });
  }
  const published = await source.versions(module);
  if (!published) throw notFound(source, module, await knownModules(source, module));
  // Exactly as written, build metadata (`1.0.0+build.5`) included.
  const versions = published.filter(isVersion);
  const version = semver.maxSatisfying(versions, range);
  if (version === null) {
    throw new ProvisioningError('VERSION_MISMATCH', `Cannot vendor ${module}: no version in ${source.label} satisfies ${range}`, {
      hint: versions.length ? `available: ${versions.sort(semver.rcompare).join(', ')}` : 'it has no packed versions',
    });
  }
  return fetchOpened({ opened: await source.open(module, version), module, version, signing, tmpDir, insecure: source.insecure?.(signing) });
}

export interface FetchOpenedOptions {
  /** The version, opened in its source. Required. */
  opened: SourcedPack;
  module: string;
  version: string;
  signing: Config['distribution']['signing'];
  tmpDir: string;
  /** A warning the source carries (plain http:). Default none. */
  insecure?: Problem | undefined;
  /** The integrity the caller expects (a restore by the recorded one). Default: the record's. */
  integrity?: string | undefined;
}

/**
 * Downloads an opened version into `tmpDir` and checks it: its record (package_file, SRI, size),
 * the bytes against it (and against `integrity` when the caller pins one), then the signature as
 * `public_keys` and `require_signatures` ask.
 */
export async function fetchOpened({ opened, module, version, signing, tmpDir, insecure, integrity }: FetchOpenedOptions): Promise<FetchedPack> {
  const label = `${module} ${version}`;
  const record = checkRecord(opened.record, label, `${module}_${version}.tar`);
  if (integrity !== undefined && record.integrity !== integrity) {
    throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${label} from ${opened.where}: it is ${record.integrity}, the record says ${integrity}`, {
      hint: 'the registry holds another pack than the one vendored',
    });
  }
  const tarFile = path.join(tmpDir, 'pack.tar');
  await opened.fetchPackage(tarFile, record.size);
  const actual = await fileIntegrity(tarFile);
  if (actual.integrity !== record.integrity || actual.size !== record.size) {
    throw new ProvisioningError(
      'INTEGRITY_MISMATCH',
      `Cannot trust ${label} from ${opened.where}: it is ${actual.integrity} (${actual.size} bytes), the metadata says ${record.integrity} (${record.size} bytes)`,
      {
        hint: 'the download or the package was altered; nothing was changed',
      },
    );
  }
  // Plain http: without required signatures: said here, so scripts calling vendorProvider see it too.
  const fetched: FetchedPack = { module, version, tarFile, integrity: record.integrity, size: record.size, where: opened.where, warnings: insecure ? [insecure] : [] };
  if (signing.publicKeys.length === 0) return fetched;
  const signatureFile = `${tarFile}.minisig`;
  if (!(await opened.fetchSignature(signatureFile))) {
    if (signing.requireSignatures) {
      throw new ProvisioningError('SIGNATURE_MISSING', `Cannot vendor ${label}: it is not signed, and [distribution.signing] require_signatures is set`, {
        hint: 'pack it with --sign (and publish the .minisig), or turn require_signatures off',
      });
    }
    fetched.warnings.push({
      code: 'SIGNATURE_MISSING',
      message: `${label} is not signed; accepted because require_signatures is off`,
      hint: 'pack it with --sign (and publish the .minisig), or set require_signatures = true to refuse unsigned packs',
    });
    return fetched;
  }
  try {
    // The signature must name this version's file: checked here, whatever the source checked.
    fetched.keyId = (await verifyFile({ file: tarFile, signatureFile, publicKeys: signing.publicKeys, signedName: packageFileName(record.package_file) })).keyId;
  } catch (error) {
    if (error instanceof ProvisioningError) {
      // The files checked are temp downloads: named by their published names instead.
      const name = packageFileName(record.package_file);
      const message = error.message.split(signatureFile).join(`${name}.minisig`).split(tarFile).join(name);
      throw new ProvisioningError(error.code, `Cannot vendor ${label} from ${fetched.where}: ${message}`, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
    }
    throw error;
  }
  return fetched;
}
