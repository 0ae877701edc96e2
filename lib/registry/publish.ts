/**
 * `pack:publish --registry REF`: the local distribution's packs into a registry: a folder
 * (layout.ts, any static file server serves it) or an OCI registry (oci/publish.ts). Every local
 * pack is checked first (local-packs.ts: integrity, signature), then every published version it
 * would touch: a version already there with other bytes is PACK_EXISTS; anything refused means
 * nothing is written. The same pack published again changes no byte of the registry.
 *
 * A folder: each file written atomically (temp file + rename); packs and signatures first,
 * metadata next, `index.json` last, so a reader never sees an index or metadata naming a file
 * that is not there yet.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { type Problem, ProvisioningError } from '../errors.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import { buildMetadata, infoOf, readMetadata, type VersionRecord, writeMetadata } from '../formats/metadata.ts';
import { formatIndex } from '../formats/registry-index.ts';
import { copyFileAtomic, writeFileAtomic } from '../fs/atomic.ts';
import { withLock } from '../fs/lock.ts';
import { buildIndex } from './index-file.ts';
import { INDEX_FILE, metadataFileOf, PACKAGES_DIR, registryPackageFile, SIGNATURE_SUFFIX } from './layout.ts';
import { checkLocalPacks, type LocalPack, localPacks } from './local-packs.ts';
import { type PublishedPack, type PublishResult, refuse } from './published.ts';
import { publishToOci } from './oci/publish.ts';
import { registryRef } from './source.ts';

export interface PublishOptions {
  config: Config;
  /** The registry: a folder (created when missing) or `oci://HOST/NAMESPACE`. Default: `[distribution] registry`. */
  registry?: string | undefined;
  /** Only this module. Default: every module of the local distribution. */
  module?: string | undefined;
  /** Folder a relative `registry` is resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Talk plain HTTP to an OCI registry. Default `[distribution.oci] plain_http`. */
  plainHttp?: boolean | undefined;
  /** Progress, one call per pack pushed (OCI). Default none. */
  onPushed?: (pack: PublishedPack, done: number, total: number) => void;
}

export type { PublishedPack, PublishResult } from './published.ts';

export async function publishPacks(options: PublishOptions): Promise<PublishResult> {
  const { config, registry, module, cwd = process.cwd() } = options;
  const ref = registryRef(config, registry, cwd);
  if (ref === undefined) {
    throw new ProvisioningError('INVALID_OPTION', 'Cannot publish: --registry is required (or [distribution] registry in config)', {
      hint: 'e.g. npx gulp pack:publish --registry /srv/provisioning-registry, or --registry oci://ghcr.io/acme/providers',
    });
  }
  if (ref.kind === 'local') {
    throw new ProvisioningError('INVALID_OPTION', 'Cannot publish to "local": it is where the packs come from', { hint: 'name a registry folder or oci://HOST/NAMESPACE' });
  }
  if (ref.kind === 'http') {
    throw new ProvisioningError('INVALID_OPTION', `Cannot publish to ${ref.url}: an http(s) registry is read-only here`, {
      hint: 'publish to the folder it serves (--registry DIR), or to an OCI registry (oci://HOST/NAMESPACE)',
    });
  }
  const packs = await localPacks(config, module);
  refuse(await checkLocalPacks(config, packs));
  if (ref.kind === 'oci') return publishToOci({ ...options, ref, packs });
  return publishToFolder(ref.dir, packs);
}

interface Planned extends LocalPack {
  dest: string;
  destRecord: VersionRecord;
  copyTar: boolean;
  /** The registry has no signature of it yet. */
  copySignature: boolean;
}

/** Every check against the folder, before the first write: no published version with other bytes. */
async function plan(dir: string, packs: readonly LocalPack[]): Promise<{ planned: Planned[]; problems: Problem[] }> {
  const planned: Planned[] = [];
  const problems: Problem[] = [];
  for (const p of packs) {
    const published = readMetadata(metadataFileOf(dir, p.name));
    const dest = path.join(dir, PACKAGES_DIR, path.basename(p.tarFile));
    const before = published?.versions[p.version];
    const there = existsSync(dest) ? await fileIntegrity(dest) : undefined;
    if ((there && there.integrity !== p.record.integrity) || (before && before.integrity !== p.record.integrity)) {
      problems.push({
        code: 'PACK_EXISTS',
        message: `Cannot publish ${p.name} ${p.version}: ${dir} already has ${p.version} with other content (${(there ?? before)!.integrity})`,
        file: dest,
        hint: 'a published version is immutable; bump the version and pack again',
      });
      continue;
    }
    // The same pack published before keeps its record (its `created` too): nothing of it changes.
    const destRecord = before ?? { ...p.record, package_file: registryPackageFile(path.basename(p.tarFile)) };
    planned.push({ ...p, dest, destRecord, copyTar: there === undefined, copySignature: p.signatureFile !== undefined && !existsSync(dest + SIGNATURE_SUFFIX) });
  }
  return { planned, problems };
}

async function publishToFolder(dir: string, packs: readonly LocalPack[]): Promise<PublishResult> {
  // A refusal writes nothing, not even an empty folder. The lock lives in the registry folder, so
  // a new one is checked first (it holds nothing yet to clash with), then made; the checks run
  // again under the lock, and packages/ and registry/ are made only once they all passed.
  if (!existsSync(dir)) {
    refuse((await plan(dir, packs)).problems);
    await mkdir(dir, { recursive: true });
  }
  return withLock(dir, async () => {
    const { planned, problems } = await plan(dir, packs);
    refuse(problems);
    await mkdir(path.join(dir, PACKAGES_DIR), { recursive: true });
    await mkdir(path.dirname(metadataFileOf(dir, 'x')), { recursive: true });
    const published: PublishedPack[] = [];
    const warnings: Problem[] = [];
    // 1. Packs and signatures: a new name appears complete or not at all.
    for (const p of planned) {
      if (p.copyTar) await copyFileAtomic(p.tarFile, p.dest);
      // A signature made again for the same tar: the registry keeps the one it was published with.
      if (p.copySignature) await copyFileAtomic(p.signatureFile!, p.dest + SIGNATURE_SUFFIX);
      published.push({
        module: p.name,
        version: p.version,
        package_file: p.destRecord.package_file,
        status: p.copyTar || p.copySignature ? 'published' : 'unchanged',
        signed: existsSync(p.dest + SIGNATURE_SUFFIX),
      });
    }
    // 2. Metadata, merged with what was published before (versions since cleaned locally stay).
    for (const name of [...new Set(planned.map((p) => p.name))]) {
      const file = metadataFileOf(dir, name);
      const previous = readMetadata(file);
      const versions: Record<string, VersionRecord> = { ...previous?.versions };
      for (const p of planned.filter((x) => x.name === name)) versions[p.version] = p.destRecord;
      const next = buildMetadata({ name, versions, info: previous ? infoOf(previous) : infoOf(planned.find((p) => p.name === name)!.meta), previous });
      if (next && JSON.stringify(next) !== JSON.stringify(previous)) writeMetadata(file, next);
    }
    // 3. The index, last, and only when it says something new.
    const index = await buildIndex(dir);
    const indexFile = path.join(dir, INDEX_FILE);
    const text = formatIndex(index);
    if ((await readFile(indexFile, 'utf8').catch(() => undefined)) !== text) await writeFileAtomic(indexFile, text);
    return { registry: dir, packs: published, index, warnings };
  });
}
