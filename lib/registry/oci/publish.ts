/**
 * Publishing packs to an OCI registry: module `<m>` version `<v>` as `NAMESPACE/<m>:<tag>`
 * (artifact.ts). Every version is looked up first: the same tar there already is "unchanged"
 * and nothing is pushed; another tar under the tag is PACK_EXISTS, and then nothing is pushed
 * at all. Blobs go first (skipped when present, mounted from another module of the namespace
 * when one of this run has them), the manifest last, so a tag is absent or complete, never
 * naming a missing blob. A registry cannot be told "only if absent" (distribution 2.8 ignores
 * If-None-Match), so once every PUT is done each tag is read back: another publisher's tar
 * there means that one won, and this run says PACK_EXISTS. (Two publishers can still both think
 * they won when one reads back before the other's PUT: turn on the registry's own tag
 * immutability, Harbor and ECR have it, for a guarantee.)
 *
 * A push that fails once others have landed does not undo them (a registry has no transaction):
 * the run fails with PublishIncomplete, naming what is published and what is not, and the next
 * run pushes only what is missing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/types.ts';
import { type Problem, ProvisioningError, systemError, toProblem } from '../../errors.ts';
import { infoOf } from '../../formats/metadata.ts';
import { settleEach } from '../../settle.ts';
import type { LocalPack } from '../local-packs.ts';
import { type PublishedPack, PublishIncomplete, type PublishResult, refuse } from '../published.ts';
import { type RegistryRef, tagOf } from '../ref.ts';
import { plainOciWarning } from '../insecure.ts';
import { ociClient } from '../source.ts';
import { buildArtifact, type PackArtifact, parseArtifact } from './artifact.ts';
import { digestOf, type OciClient } from './client.ts';

export interface OciPublishOptions {
  config: Config;
  ref: Extract<RegistryRef, { kind: 'oci' }>;
  /** The local packs, already checked (local-packs.ts). */
  packs: readonly LocalPack[];
  plainHttp?: boolean | undefined;
  onPushed?: (pack: PublishedPack, done: number, total: number) => void;
}

/** Packs whose bytes are held at once, while planning and while pushing (the client bounds requests). */
const AT_ONCE = 8;
/** Read-backs of a tag that is not there yet (an eventually consistent registry), after the first. */
const READ_BACK_RETRIES = 3;

interface Planned {
  pack: LocalPack;
  repo: string;
  tag: string;
  /** This pack's manifest digest and tar layer digest (artifact.ts: from the pack alone). */
  digest: string;
  tarDigest: string;
  /** Already there with the same tar. */
  unchanged: boolean;
  /** The registry's copy carries a signature layer (or will, once pushed). */
  signed: boolean;
}

/** The pack's artifact, from its files and its own metadata: nothing of the config of today. */
async function artifactOf(pack: LocalPack): Promise<PackArtifact> {
  const tar = await readFile(pack.tarFile);
  const signature = pack.signatureFile ? await readFile(pack.signatureFile) : undefined;
  return buildArtifact({
    name: pack.name,
    version: pack.version,
    tarName: path.basename(pack.tarFile),
    tar,
    signature,
    exported: pack.record.exported === true,
    info: infoOf(pack.meta),
  });
}

/** The row a publish reports for it: `<repo>:<tag>@<digest>` names what was pushed. */
function row(p: Planned, status: PublishedPack['status'], signed: boolean, digest?: string): PublishedPack {
  return { module: p.pack.name, version: p.pack.version, package_file: `${p.repo}:${p.tag}${digest ? `@${digest}` : ''}`, status, signed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function taken(p: Pick<Planned, 'pack' | 'repo' | 'tag' | 'tarDigest'>, client: OciClient, theirs: string, how: string): Problem {
  return {
    code: 'PACK_EXISTS',
    message: `Cannot publish ${p.pack.name} ${p.pack.version}: ${client.host}/${p.repo}:${p.tag} ${how} another pack (tar ${theirs}, this one ${p.tarDigest})`,
    hint: "a published version is immutable; bump the version and pack again (and turn on the registry's tag immutability where it has one)",
  };
}

async function planOne(client: OciClient, ref: OciPublishOptions['ref'], pack: LocalPack): Promise<Planned | Problem> {
  const repo = `${ref.namespace}/${pack.name}`;
  const tag = tagOf(pack.version);
  const { digest, tarDigest } = await artifactOf(pack);
  const planned: Planned = { pack, repo, tag, digest, tarDigest, unchanged: false, signed: pack.signatureFile !== undefined };
  const there = await client.getManifest(repo, tag);
  if (!there) return planned;
  const existing = parseArtifact(there.bytes, `${client.host}/${repo}:${tag}`);
  if (existing.tar.digest === tarDigest) return { ...planned, unchanged: true, signed: existing.signature !== undefined };
  return taken(planned, client, existing.tar.digest, 'already holds');
}

/** Blobs, then the manifest. */
async function pushOne(client: OciClient, p: Planned, holder: Map<string, string>): Promise<void> {
  const artifact = await artifactOf(p.pack);
  if (artifact.digest !== p.digest) {
    throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot publish ${p.pack.name} ${p.pack.version}: ${p.pack.tarFile} changed while publishing`, {
      hint: 'let the other pack run finish, then publish again',
    });
  }
  for (const blob of artifact.blobs) {
    const digest = digestOf(blob);
    const from = holder.get(digest);
    await client.pushBlob(p.repo, blob, { mountFrom: from !== undefined && from !== p.repo ? from : undefined });
    holder.set(digest, p.repo);
  }
  await client.putManifest(p.repo, p.tag, artifact.manifest);
}

/**
 * What stands under the tag now: ours; the same tar another publisher pushed at the same time
 * (signed or not); or another pack (PACK_EXISTS). A tag not there yet is read again, with backoff.
 */
async function readBack(client: OciClient, p: Planned): Promise<PublishedPack> {
  const where = `${client.host}/${p.repo}:${p.tag}`;
  for (let attempt = 0;; attempt++) {
    const now = await client.getManifest(p.repo, p.tag);
    if (now?.digest === p.digest) return row(p, 'published', p.signed, p.digest);
    if (now) {
      const existing = parseArtifact(now.bytes, where);
      if (existing.tar.digest !== p.tarDigest) {
        const problem = taken(p, client, existing.tar.digest, 'was taken at the same time by');
        throw new ProvisioningError(problem.code, problem.message, problem);
      }
      return row(p, 'published', existing.signature !== undefined, now.digest);
    }
    if (attempt === READ_BACK_RETRIES) {
      throw new ProvisioningError('REGISTRY_ERROR', `Cannot publish ${p.pack.name} ${p.pack.version}: ${where} is not there after the registry accepted its manifest`, {
        hint: 'the registry may show new tags late; run pack:publish again (it pushes only what is missing)',
      });
    }
    await sleep(200 * 2 ** attempt);
  }
}

export async function publishToOci({ config, ref, packs, plainHttp, onPushed }: OciPublishOptions): Promise<PublishResult> {
  const client = ociClient(config, ref, { plainHttp });
  const problemOf = (p: LocalPack, error: unknown): Problem => toProblem(systemError(error, `publish ${p.name} ${p.version}`));
  // 1. Every version looked up, every problem before any push.
  const looked = await settleEach(packs, AT_ONCE, (p) => planOne(client, ref, p));
  refuse(looked.map((r, i) => (r.status === 'rejected' ? problemOf(packs[i]!, r.reason) : r.value)).filter((p): p is Problem => 'code' in p));
  const planned = looked.map((r) => (r as PromiseFulfilledResult<Planned>).value);
  const insecure = plainOciWarning(ref.label, client, config.distribution.signing);
  const warnings: Problem[] = insecure ? [insecure] : [];
  const unsignedThere = (p: Planned, signed: boolean) => {
    if (!signed && p.pack.signatureFile) {
      warnings.push({
        code: 'SIGNATURE_MISSING',
        message: `${p.pack.name} ${p.pack.version} was published unsigned to ${ref.label}; a published version is immutable, so its signature cannot be added`,
        hint: 'publish the next version signed',
      });
    }
  };
  for (const p of planned) if (p.unchanged) unsignedThere(p, p.signed);
  // 2. Blobs, then each manifest; a blob one module of this run pushed is mounted into another.
  const holder = new Map<string, string>();
  const toPush = planned.filter((p) => !p.unchanged);
  let done = 0;
  const pushed = await settleEach(toPush, AT_ONCE, async (p) => {
    await pushOne(client, p, holder);
    onPushed?.(row(p, 'published', p.signed, p.digest), ++done, toPush.length);
  });
  // 3. Read back: a publisher that raced this one and put its manifest last wins the tag; this
  // run then says so (the wait lets a PUT already on its way land first).
  if (toPush.length > 0) await sleep(200);
  const results = new Map<Planned, PublishedPack>();
  const failed = await Promise.all(toPush.map(async (p, i): Promise<Problem | undefined> => {
    const push = pushed[i]!;
    if (push.status === 'rejected') return problemOf(p.pack, push.reason);
    try {
      const stands = await readBack(client, p);
      if (stands.package_file !== `${p.repo}:${p.tag}@${p.digest}`) unsignedThere(p, stands.signed);
      results.set(p, stands);
      return undefined;
    } catch (error) {
      return problemOf(p.pack, error);
    }
  }));
  const problems = failed.filter((p): p is Problem => p !== undefined);
  const out = planned.flatMap((p): PublishedPack[] => {
    if (p.unchanged) return [row(p, 'unchanged', p.signed)];
    const stands = results.get(p);
    return stands ? [stands] : [];
  });
  const result: PublishResult = { registry: ref.label, packs: out, warnings };
  if (problems.length > 0 && out.length === 0) refuse(problems);
  if (problems.length > 0) throw new PublishIncomplete(result, problems, planned.length);
  return result;
}
