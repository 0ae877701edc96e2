/**
 * Publishing packs to an OCI registry: module `<m>` version `<v>` as `NAMESPACE/<m>:<tag>`
 * (artifact.ts). Every version is looked up first: the same tar there already is "unchanged"
 * and nothing is pushed; another tar under the tag is PACK_EXISTS, and then nothing is pushed
 * at all. Blobs go first (skipped when present, mounted from another module of the namespace
 * when one of this run has them), the manifest last, so a tag is absent or complete, never
 * naming a missing blob. A registry cannot be told "only if absent" (distribution 2.8 ignores
 * If-None-Match), so once every PUT is done each tag is read back: another publisher's manifest
 * there means that one won, and this run says PACK_EXISTS. (Two publishers can still both think
 * they won when one reads back before the other's PUT: turn on the registry's own tag
 * immutability, Harbor and ECR have it, for a guarantee.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/types.ts';
import type { Problem } from '../../errors.ts';
import type { LocalPack } from '../local-packs.ts';
import { refuse, type PublishedPack, type PublishResult } from '../published.ts';
import { tagOf, type RegistryRef } from '../ref.ts';
import { ociClient } from '../source.ts';
import { buildArtifact, parseArtifact, type PackArtifact } from './artifact.ts';
import { digestOf, type OciClient } from './client.ts';

export interface OciPublishOptions {
  config: Config;
  ref: Extract<RegistryRef, { kind: 'oci' }>;
  /** The local packs, already checked (local-packs.ts). */
  packs: readonly LocalPack[];
  plainHttp?: boolean | undefined;
  onPushed?: (pack: PublishedPack, done: number, total: number) => void;
}

interface Planned {
  pack: LocalPack;
  repo: string;
  tag: string;
  artifact: PackArtifact;
  /** Already there with the same tar. */
  unchanged: boolean;
  /** The registry's copy carries a signature layer. */
  signed: boolean;
}

async function planOne(client: OciClient, ref: OciPublishOptions['ref'], pack: LocalPack, config: Config): Promise<Planned | Problem> {
  const repo = `${ref.namespace}/${pack.name}`;
  const tag = tagOf(pack.version);
  const tar = await readFile(pack.tarFile);
  const signature = pack.signatureFile ? await readFile(pack.signatureFile) : undefined;
  const artifact = buildArtifact({ name: pack.name, version: pack.version, tarName: path.basename(pack.tarFile), tar, signature, exported: pack.record.exported === true, info: config.distribution.metadata });
  const there = await client.getManifest(repo, tag);
  if (!there) return { pack, repo, tag, artifact, unchanged: false, signed: signature !== undefined };
  const existing = parseArtifact(there.bytes, `${client.host}/${repo}:${tag}`);
  if (existing.tar.digest === artifact.tarDigest) return { pack, repo, tag, artifact, unchanged: true, signed: existing.signature !== undefined };
  return {
    code: 'PACK_EXISTS',
    message: `Cannot publish ${pack.name} ${pack.version}: ${client.host}/${repo}:${tag} already holds another pack (tar ${existing.tar.digest}, this one ${artifact.tarDigest})`,
    hint: 'a published version is immutable; bump the version and pack again',
  };
}

export async function publishToOci({ config, ref, packs, plainHttp, onPushed }: OciPublishOptions): Promise<PublishResult> {
  const client = ociClient(config, ref, { plainHttp });
  // 1. Every version looked up (in parallel, the client bounds it), every problem before any push.
  const plans = await Promise.all(packs.map((p) => planOne(client, ref, p, config)));
  refuse(plans.filter((p): p is Problem => 'code' in p));
  const planned = plans as Planned[];
  const warnings: Problem[] = [];
  for (const p of planned) {
    if (p.unchanged && !p.signed && p.pack.signatureFile) {
      warnings.push({ code: 'SIGNATURE_MISSING', message: `${p.pack.name} ${p.pack.version} was published unsigned to ${ref.label}; a published version is immutable, so its signature cannot be added`, hint: 'publish the next version signed' });
    }
  }
  // 2. Blobs, then each manifest; a blob one module of this run pushed is mounted into another.
  const holder = new Map<string, string>();
  const toPush = planned.filter((p) => !p.unchanged);
  const results = new Map<Planned, PublishedPack>();
  let done = 0;
  const problems: Problem[] = [];
  await Promise.all(toPush.map(async (p) => {
    for (const blob of p.artifact.blobs) {
      const digest = digestOf(blob);
      const from = holder.get(digest);
      await client.pushBlob(p.repo, blob, { mountFrom: from !== undefined && from !== p.repo ? from : undefined });
      holder.set(digest, p.repo);
    }
    await client.putManifest(p.repo, p.tag, p.artifact.manifest);
    const published: PublishedPack = { module: p.pack.name, version: p.pack.version, package_file: `${p.repo}:${p.tag}@${p.artifact.digest}`, status: 'published', signed: p.signed };
    results.set(p, published);
    onPushed?.(published, ++done, toPush.length);
  }));
  // 3. Read back: a publisher that raced this one and put its manifest last wins the tag; this
  // run then says so (the wait lets a PUT already on its way land first).
  if (toPush.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  await Promise.all(toPush.map(async (p) => {
    const now = await client.getManifest(p.repo, p.tag);
    if (now?.digest === p.artifact.digest) return;
    results.delete(p);
    problems.push({ code: 'PACK_EXISTS', message: `Cannot publish ${p.pack.name} ${p.pack.version}: another publisher put ${now?.digest ?? 'nothing'} under ${client.host}/${p.repo}:${p.tag} at the same time; theirs stands`, hint: 'a published version is immutable; bump the version and pack again (and turn on the registry\'s tag immutability where it has one)' });
  }));
  refuse(problems);
  const out = planned.map((p) => results.get(p) ?? { module: p.pack.name, version: p.pack.version, package_file: `${p.repo}:${p.tag}`, status: 'unchanged' as const, signed: p.signed });
  return { registry: ref.label, packs: out, warnings };
}
