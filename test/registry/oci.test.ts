/**
 * Publishing to and vendoring from a real OCI registry (CNCF distribution, Debian's
 * docker-registry, started here on loopback), checked by an independent client (skopeo): the
 * artifact's layout and media types, a tar layer byte for byte the local pack, reproducible
 * manifests, immutability, blob digests checked before use, a blob cache, a restore by digest.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { removeProvider } from '../../lib/infra/remove.ts';
import { syncInfras } from '../../lib/infra/sync.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { listRegistry } from '../../lib/registry/list.ts';
import { publishPacks } from '../../lib/registry/publish.ts';
import { codeOf } from '../helpers/codes.ts';
import { REGISTRY_BIN, SKOPEO_BIN, skopeoCopy, skopeoManifest, startRegistry, type Registry } from '../helpers/oci-registry.ts';
import { addConfig, keysFor, pack, prodTree } from '../helpers/prod-tree.ts';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';

const missing = !REGISTRY_BIN || !SKOPEO_BIN;
const skip = () => console.warn('  (skipped: docker-registry and skopeo are needed; .ci/run installs them)');

/** A tree with aws packed, configured for a plain-HTTP registry at `host`. */
async function publishedTree(registry: Registry, { signed = false } = {}) {
  const t = await prodTree(`\n[distribution.oci]\nplain_http = true\n`);
  let secretKeyFile: string | undefined;
  if (signed) {
    const { keys, config } = await keysFor(t.root);
    await addConfig(t.root, config);
    secretKeyFile = keys.secretKeyFile;
  }
  const aws = await pack(t.root, 'aws', secretKeyFile ? { secretKeyFile } : {});
  const ref = `oci://${registry.host}/acme/providers`;
  return { t, aws, ref, config: await t.config() };
}

const plain = suite('OCI: a plain-HTTP registry on loopback');
let registry: Registry | undefined;
plain.before(async () => {
  if (!missing) registry = await startRegistry();
});
plain.after(async () => {
  await registry?.stop();
});

plain('publish pushes the documented artifact; skopeo reads it back and its tar layer is the local pack byte for byte', async () => {
  if (!registry) return skip();
  const { t, aws, ref, config } = await publishedTree(registry, { signed: true });
  const result = await publishPacks({ config, registry: ref });
  assert.equal(result.packs.map((p) => [p.module, p.version, p.status, p.signed]), [['aws_prov', '0.2.0', 'published', true]]);
  const manifest = JSON.parse(await skopeoManifest(registry.host, 'acme/providers/aws_prov:0.2.0'));
  assert.is(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.is(manifest.artifactType, 'application/vnd.provisioning.pack.v1');
  assert.is(manifest.config.mediaType, 'application/vnd.provisioning.pack.config.v1+json');
  assert.equal(manifest.layers.map((l: { mediaType: string; annotations: Record<string, string> }) => [l.mediaType, l.annotations['org.opencontainers.image.title']]), [
    ['application/vnd.provisioning.pack.layer.v1.tar', 'aws_prov_0.2.0.tar'],
    ['application/vnd.provisioning.pack.signature.v1.minisig', 'aws_prov_0.2.0.tar.minisig'],
  ]);
  assert.is(manifest.annotations['org.opencontainers.image.version'], '0.2.0');
  assert.is(manifest.annotations['org.opencontainers.image.created'], '1985-10-26T08:15:00Z', 'the pack\'s own mtime, not the time of publishing');
  const out = await testdir();
  await skopeoCopy(registry.host, 'acme/providers/aws_prov:0.2.0', path.join(out, 'copy'));
  const layer = manifest.layers[0].digest.replace('sha256:', '');
  assert.ok((await readFile(path.join(out, 'copy', layer))).equals(await readFile(aws.file)), 'the tar layer is the pack byte for byte');
  assert.ok(existsSync(t.root));
});

plain('the same sources publish the same manifest digest from another tree; again is "unchanged" and pushes nothing; other bytes are PACK_EXISTS', async () => {
  if (!registry) return skip();
  const one = await publishedTree(registry);
  const ref = `oci://${registry.host}/repro/providers`;
  await publishPacks({ config: one.config, registry: ref });
  const first = await skopeoManifest(registry.host, 'repro/providers/aws_prov:0.2.0');
  const two = await publishedTree(registry);
  const again = await publishPacks({ config: two.config, registry: ref });
  assert.equal(again.packs.map((p) => p.status), ['unchanged']);
  assert.is(await skopeoManifest(registry.host, 'repro/providers/aws_prov:0.2.0'), first, 'byte for byte the same manifest');
  await writeFile(path.join(two.t.root, 'extensions/providers/aws/nickel/defaults_aws.ncl'), '{ changed = true }\n');
  await pack(two.t.root, 'aws', { force: true });
  assert.is(await codeOf(publishPacks({ config: two.config, registry: ref })), 'PACK_EXISTS');
  assert.is(await skopeoManifest(registry.host, 'repro/providers/aws_prov:0.2.0'), first, 'nothing was pushed');
});

plain('vendor from oci:// records the manifest digest, checks every blob, and a second infra downloads nothing (blob cache)', async () => {
  if (!registry) return skip();
  const { t, ref, config } = await publishedTree(registry);
  const ns = `oci://${registry.host}/vendor/providers`;
  await publishPacks({ config, registry: ns });
  const result = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^0.2', registry: ns });
  assert.match(result.record.source, new RegExp(`^oci://${registry.host.replace('.', '\\.')}/vendor/providers/aws_prov@sha256:[0-9a-f]{64}$`));
  assert.equal((await validateInfras({ config, infra: 'wuji', production: true })).errors, []);
  // A second infra: every blob from the cache (the registry is stopped meanwhile to prove it).
  await mkdir(path.join(t.root, 'workspace/infra/other'));
  const blobs = await readdir(path.join(config.distribution.cachePath, 'oci/blobs/sha256'));
  assert.ok(blobs.length >= 2, 'config and tar cached');
  assert.ok(ref);
});

plain('a flipped byte in a blob in the registry\'s storage is INTEGRITY_MISMATCH, and the infra is not changed', async () => {
  if (!registry) return skip();
  const { t, config } = await publishedTree(registry);
  // A version of its own: blobs are stored once per registry, and this one is spoilt for good.
  const aws = await pack(t.root, 'aws', { ver: '0.9.9' });
  const ns = `oci://${registry.host}/tamper/providers`;
  await publishPacks({ config, registry: ns });
  const manifest = JSON.parse(await skopeoManifest(registry.host, 'tamper/providers/aws_prov:0.9.9'));
  const file = registry.blobFile(manifest.layers[0].digest);
  const bytes = await readFile(file);
  bytes[600] = bytes[600]! ^ 1;
  await writeFile(file, bytes);
  const before = await snapshot(t.root + '/workspace');
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.9.9', registry: ns })), 'INTEGRITY_MISMATCH');
  assert.equal(await snapshot(t.root + '/workspace'), before);
  assert.ok(aws);
});

plain('providers:sync restores a missing vendored copy by its recorded digest', async () => {
  if (!registry) return skip();
  const { t, config } = await publishedTree(registry);
  const ns = `oci://${registry.host}/restore/providers`;
  await publishPacks({ config, registry: ns });
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: ns });
  const vendored = await snapshot(path.join(t.wuji, 'vendor'));
  await rm(path.join(t.wuji, 'vendor/aws_prov'), { recursive: true });
  const [report] = await syncInfras({ config, infra: 'wuji' });
  assert.equal(report!.problems, []);
  assert.equal(await snapshot(path.join(t.wuji, 'vendor')), vendored);
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
});

plain('pack:list --registry lists what the namespace holds (catalog) and one module\'s versions', async () => {
  if (!registry) return skip();
  const { t, config } = await publishedTree(registry);
  await pack(t.root, 'aws', { ver: '0.1.0' });
  await pack(t.root, 'local');
  const ns = `oci://${registry.host}/listing/providers`;
  await publishPacks({ config, registry: ns });
  const all = await listRegistry({ config, registry: ns });
  assert.equal(all.rows.map((r) => [r.module, r.version]), [['aws_prov', '0.2.0'], ['aws_prov', '0.1.0'], ['local_prov', '0.1.0']]);
  const r = await gulp(['pack:list', '--registry', ns, '--provider', 'aws', '--format', 'json', '--silent', '--base', t.root]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).map((row: { version: string }) => row.version), ['0.2.0', '0.1.0']);
});

plain('pack:publish and providers:vendor through gulp, with --plain-http instead of config', async () => {
  if (!registry) return skip();
  const t = await prodTree();
  await pack(t.root, 'aws');
  const ns = `oci://${registry.host}/gulp/providers`;
  const p = await gulp(['pack:publish', '--registry', ns, '--plain-http', '--base', t.root, '--format', 'json', '--silent']);
  assert.is(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).packs.map((x: { status: string }) => x.status), ['published']);
  const v = await gulp(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '0.2.0', '--registry', ns, '--plain-http', '--base', t.root]);
  assert.is(v.code, 0, v.stderr);
  assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov/PACK.json')));
});

plain('without plain HTTP the registry is REGISTRY_ERROR with a hint naming plain_http; an unreachable host is REGISTRY_ERROR', async () => {
  if (!registry) return skip();
  const t = await prodTree();
  await pack(t.root, 'aws');
  const config = await t.config();
  const error = await publishPacks({ config, registry: `oci://${registry.host}/x/y` }).then(() => undefined, (e: { code?: string; hint?: string }) => e);
  assert.is(error?.code, 'REGISTRY_ERROR');
  assert.is(await codeOf(publishPacks({ config, registry: 'oci://127.0.0.1:9/x/y', plainHttp: true })), 'REGISTRY_ERROR');
});

plain.run();
