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
import { listenLoopback } from '../helpers/loopback.ts';
import { makeTls, OPENSSL_BIN, proxyRegistry, type Registry, REGISTRY_BIN, SKOPEO_BIN, skopeoCopy, skopeoManifest, startRegistry, tokenServer } from '../helpers/oci-registry.ts';
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
  assert.is(manifest.annotations['org.opencontainers.image.created'], '1985-10-26T08:15:00Z', "the pack's own mtime, not the time of publishing");
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

plain("a flipped byte in a blob in the registry's storage is INTEGRITY_MISMATCH, and the infra is not changed", async () => {
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
  const { t } = await publishedTree(registry);
  // Keys to check with, and an unsigned pack: vendoring it warns, and so must putting it back.
  await addConfig(t.root, (await keysFor(t.root)).config);
  const config = await t.config();
  const ns = `oci://${registry.host}/restore/providers`;
  await publishPacks({ config, registry: ns });
  const { record, warnings } = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: ns });
  const vendored = await snapshot(path.join(t.wuji, 'vendor'));
  await rm(path.join(t.wuji, 'vendor/aws_prov'), { recursive: true });
  const [report] = await syncInfras({ config, infra: 'wuji' });
  assert.equal(report!.problems, []);
  assert.equal(report!.changes, [`restored workspace/infra/wuji/vendor/aws_prov/ (aws_prov 0.2.0) from ${record.source}`]);
  assert.equal(warnings.map((w) => w.code), ['SIGNATURE_MISSING'], 'vendoring this unsigned pack warned');
  assert.equal(report!.warnings.map((w) => w.code), warnings.map((w) => w.code), 'and so does putting it back');
  assert.equal(await snapshot(path.join(t.wuji, 'vendor')), vendored);
  await removeProvider({ config, provider: 'aws', infra: 'wuji' });
});

plain("pack:list --registry lists what the namespace holds (catalog) and one module's versions", async () => {
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

plain(
  'without plain HTTP the registry is REGISTRY_ERROR with a hint naming --plain-http (not ca_file), and following it works; an unreachable host is REGISTRY_ERROR',
  async () => {
    if (!registry) return skip();
    const t = await prodTree();
    await pack(t.root, 'aws');
    const config = await t.config();
    const ns = `oci://${registry.host}/hinted/providers`;
    // A TLS handshake answered in plain HTTP (Node: ERR_SSL_WRONG_VERSION_NUMBER) is no certificate problem.
    const error = await publishPacks({ config, registry: ns }).then(() => undefined, (e: { code?: string; hint?: string }) => e);
    assert.is(error?.code, 'REGISTRY_ERROR');
    assert.match(String(error?.hint), '--plain-http');
    assert.match(String(error?.hint), 'plain_http = true');
    assert.not.match(String(error?.hint), 'ca_file');
    const followed = await gulp(['pack:publish', '--registry', ns, '--plain-http', '--base', t.root, '--format', 'json', '--silent']);
    assert.is(followed.code, 0, followed.stderr);
    assert.equal(JSON.parse(followed.stdout).packs.map((x: { status: string }) => x.status), ['published']);
    assert.is(await codeOf(publishPacks({ config, registry: 'oci://127.0.0.1:9/x/y', plainHttp: true })), 'REGISTRY_ERROR');
  },
);

plain.run();

const secure = suite('OCI: TLS, logins and tokens, as Docker keeps credentials');

/** A DOCKER_CONFIG folder holding `config`. */
async function dockerConfig(config: unknown): Promise<string> {
  const dir = await testdir();
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

secure("TLS with a throwaway CA and htpasswd Basic auth: ca_file and the docker config's auths work; no login is REGISTRY_AUTH naming the config file", async () => {
  if (missing || !OPENSSL_BIN) return skip();
  const tls = await makeTls();
  const reg = (await startRegistry({ tls, users: { ci: 's3cret' } }))!;
  try {
    const t = await prodTree(`\n[distribution.oci]\nca_file = "${tls.caFile}"\n`);
    await pack(t.root, 'aws');
    const config = await t.config();
    const ns = `oci://${reg.host}/secure/providers`;
    const none = await dockerConfig({});
    const denied = await gulpWith(['pack:publish', '--registry', ns, '--base', t.root], { DOCKER_CONFIG: none });
    assert.is.not(denied.code, 0);
    assert.match(denied.stderr, 'error REGISTRY_AUTH');
    assert.match(denied.stderr, path.join(none, 'config.json'));
    const login = await dockerConfig({ auths: { [reg.host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } });
    const ok = await gulpWith(['pack:publish', '--registry', ns, '--base', t.root, '--format', 'json', '--silent'], { DOCKER_CONFIG: login });
    assert.is(ok.code, 0, ok.stderr);
    assert.not.match(ok.stdout + ok.stderr, 's3cret', 'the secret is never printed');
    const manifest = JSON.parse(await skopeoManifest(reg.host, 'secure/providers/aws_prov:0.2.0', { tls, creds: 'ci:s3cret' }));
    assert.is(manifest.artifactType, 'application/vnd.provisioning.pack.v1');
    const v = await gulpWith(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '0.2.0', '--registry', ns, '--base', t.root], { DOCKER_CONFIG: login });
    assert.is(v.code, 0, v.stderr);
    // In this process too (under Deno: its own HTTP client trusting the CA).
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = login;
    try {
      assert.equal((await listRegistry({ config, registry: ns, module: 'aws_prov' })).rows.map((r) => r.version), ['0.2.0']);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
    // Without the CA, the certificate is not trusted: REGISTRY_ERROR with a hint naming ca_file.
    const plainConfig = { ...config, distribution: { ...config.distribution, oci: { plainHttp: false, caFile: undefined } } };
    const error = await publishPacks({ config: plainConfig, registry: ns }).then(() => undefined, (e: { code?: string; hint?: string }) => e);
    assert.is(error?.code, 'REGISTRY_ERROR');
    assert.match(String(error?.hint), 'ca_file');
  } finally {
    await reg.stop();
  }
});

secure('Bearer tokens: anonymous pull tokens, a login for push, a refresh token (identitytoken), and a read-only user refused with REGISTRY_AUTH', async () => {
  if (missing || !OPENSSL_BIN) return skip();
  const tokens = await tokenServer({ users: { ci: 'pw', reader: 'pw' }, readOnly: ['reader'], refreshTokens: { 'refresh-123': 'ci' } });
  const reg = (await startRegistry({ token: tokens }))!;
  try {
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(t.root, 'aws');
    await pack(t.root, 'local');
    const config = await t.config();
    const ns = `oci://${reg.host}/tokens/providers`;
    const env = (c: unknown) => dockerConfig(c).then((dir) => ({ DOCKER_CONFIG: dir }));
    const reader = await env({ auths: { [reg.host]: { auth: Buffer.from('reader:pw').toString('base64') } } });
    const r = await gulpWith(['pack:publish', '--registry', ns, '--base', t.root], reader);
    assert.match(r.stderr, 'error REGISTRY_AUTH');
    const ci = await env({ auths: { [reg.host]: { auth: Buffer.from('ci:pw').toString('base64') } } });
    const p = await gulpWith(['pack:publish', '--registry', ns, '--base', t.root, '--provider', 'aws'], ci);
    assert.is(p.code, 0, p.stderr);
    assert.ok(tokens.requests.some((q) => q.user === 'ci' && q.scope.endsWith(':pull,push')), JSON.stringify(tokens.requests));
    const refresh = await env({ auths: { [reg.host]: { identitytoken: 'refresh-123' } } });
    const p2 = await gulpWith(['pack:publish', '--registry', ns, '--base', t.root, '--provider', 'local'], refresh);
    assert.is(p2.code, 0, p2.stderr);
    assert.ok(tokens.requests.some((q) => q.grant === 'refresh_token'));
    // Anonymous: a pull token, no login needed.
    const anonymous = await env({});
    const v = await gulpWith(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '*', '--registry', ns, '--base', t.root], anonymous);
    assert.is(v.code, 0, v.stderr);
    assert.ok(tokens.requests.some((q) => q.user === undefined && q.scope.endsWith(':pull')));
    assert.ok(config);
  } finally {
    await reg.stop();
    await tokens.close();
  }
});

secure('credHelpers and credsStore: the docker-credential-<name> program is asked, as Docker asks it', async () => {
  if (missing) return skip();
  const reg = (await startRegistry({ users: { helper: 'from-helper' } }))!;
  try {
    const bin = await testdir();
    const helper = path.join(bin, 'docker-credential-provtest');
    await writeFile(
      helper,
      `#!/bin/sh\nread host\nif [ "$1" = get ] && [ "$host" = "${reg.host}" ]; then echo '{"ServerURL":"${reg.host}","Username":"helper","Secret":"from-helper"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`,
      { mode: 0o755 },
    );
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(t.root, 'aws');
    const ns = `oci://${reg.host}/helpers/providers`;
    const pathEnv = `${bin}${path.delimiter}${process.env.PATH}`;
    for (const [i, config] of [{ credHelpers: { [reg.host]: 'provtest' } }, { credsStore: 'provtest' }].entries()) {
      // A push needs the login: it works only when the helper was asked.
      const r = await gulpWith(['pack:publish', '--registry', `${ns}${i}`, '--base', t.root], { DOCKER_CONFIG: await dockerConfig(config), PATH: pathEnv });
      assert.is(r.code, 0, r.stderr);
      assert.not.match(r.stdout + r.stderr, 'from-helper', 'the secret is never printed');
    }
    const without = await gulpWith(['pack:publish', '--registry', `${ns}x`, '--base', t.root], { DOCKER_CONFIG: await dockerConfig({}), PATH: pathEnv });
    assert.match(without.stderr, 'REGISTRY_AUTH');
  } finally {
    await reg.stop();
  }
});

secure.run();

const broken = suite('OCI: what a registry can get wrong, each a coded error and nothing written');

/** A server answering every request with `status` and `body`. */
async function fakeRegistry(status: number, body: string, type: string): Promise<{ host: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  return listenLoopback(createServer((_req, res) => void res.writeHead(status, { 'content-type': type, connection: 'close' }).end(body)));
}

for (
  const [what, status, body, type, code] of [
    ['a 500 every time', 500, '{"errors":[{"code":"UNKNOWN","message":"boom"}]}', 'application/json', 'REGISTRY_ERROR'],
    ['HTML (a web server, not a registry)', 200, '<html><body>hello</body></html>', 'text/html', 'REGISTRY_ERROR'],
  ] as const
) {
  broken(`${what}: publish and vendor are ${code}, and nothing is written`, async () => {
    const fake = await fakeRegistry(status, body, type);
    try {
      const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
      await pack(t.root, 'aws');
      const config = await t.config();
      const before = await snapshot(t.wuji);
      assert.is(await codeOf(publishPacks({ config, registry: `oci://${fake.host}/x/y` })), code);
      assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: `oci://${fake.host}/x/y` })), code);
      assert.equal(await snapshot(t.wuji), before);
    } finally {
      await fake.close();
    }
  });
}

broken('a tag holding another kind of manifest (an image) is REGISTRY_ERROR; a tag that is not semver is never a version', async () => {
  if (missing) return skip();
  const registry = (await startRegistry())!;
  try {
    const { OciClient } = await import('../../lib/registry/oci/client.ts');
    const client = new OciClient({ host: registry.host, plainHttp: true });
    const config = Buffer.from('{}');
    await client.pushBlob('odd/providers/aws_prov', config);
    const image = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: `sha256:${(await import('node:crypto')).createHash('sha256').update(config).digest('hex')}`,
          size: 2,
        },
        layers: [],
      }),
    );
    await client.putManifest('odd/providers/aws_prov', '1.0.0', image);
    await client.putManifest('odd/providers/aws_prov', 'latest', image);
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    const cfg = await t.config();
    const before = await snapshot(t.wuji);
    assert.is(await codeOf(vendorProvider({ config: cfg, provider: 'aws', infra: 'wuji', range: '1.0.0', registry: `oci://${registry.host}/odd/providers` })), 'REGISTRY_ERROR');
    assert.is(await codeOf(vendorProvider({ config: cfg, provider: 'aws', infra: 'wuji', range: 'latest', registry: `oci://${registry.host}/odd/providers` })), 'INVALID_OPTION');
    assert.equal(await snapshot(t.wuji), before);
  } finally {
    await registry.stop();
  }
});

broken.run();

async function gulpWith(args: string[], env: Record<string, string>) {
  return gulp(args, { env: { NO_COLOR: '1', ...env } });
}

const races = suite('OCI: two publishers at once, and a publisher killed mid-push');

races('two trees publishing the same version with other bytes at once: one complete version stands, the other run is PACK_EXISTS', async () => {
  if (missing) return skip();
  const reg = (await startRegistry())!;
  try {
    const a = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    const b = await prodTree('\n[distribution.oci]\nplain_http = true\n', { 'extensions/providers/aws/nickel/defaults_aws.ncl': '{ other = true }\n' });
    await pack(a.root, 'aws');
    await pack(b.root, 'aws');
    const ns = `oci://${reg.host}/race/providers`;
    const [ra, rb] = await Promise.all([a, b].map(async (t) => codeOf(publishPacks({ config: await t.config(), registry: ns }))));
    assert.equal([ra, rb].sort(), ['PACK_EXISTS', 'no error'], `${ra} ${rb}`);
    // What stands is complete: skopeo copies every blob of it.
    await skopeoCopy(reg.host, 'race/providers/aws_prov:0.2.0', path.join(await testdir(), 'copy'));
  } finally {
    await reg.stop();
  }
});

races('kill -9 during a push of 24 packs: every tag there is complete (its blobs all there), the others absent; the next run completes the rest', async () => {
  if (missing) return skip();
  const reg = (await startRegistry())!;
  try {
    const extra: Record<string, string> = {};
    for (let i = 0; i < 24; i++) {
      extra[`extensions/providers/p${i}/nickel/manifest.toml`] = `[package]\nname = "p${i}_prov"\nversion = "1.0.0"\n`;
      extra[`extensions/providers/p${i}/nickel/main.ncl`] = `{ n = ${i}, pad = "${'x'.repeat(20000 + i)}" }\n`;
    }
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n', extra);
    const packed = await gulp(['pack:providers', '--base', t.root, '--silent']);
    assert.is(packed.code, 0, packed.stderr);
    const ns = `oci://${reg.host}/killed/providers`;
    const { spawn } = await import('node:child_process');
    const { PROJECT_ROOT } = await import('../helpers/testdir.ts');
    const child = spawn('node', [path.join(PROJECT_ROOT, 'node_modules/gulp-cli/bin/gulp.js'), 'pack:publish', '--registry', ns, '--base', t.root], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
    });
    const blobs = path.join(reg.storage, 'docker/registry/v2/blobs/sha256');
    const count = async () => (existsSync(blobs) ? (await readdir(blobs)).length : 0);
    while ((await count()) < 6 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    const { OciClient } = await import('../../lib/registry/oci/client.ts');
    const client = new OciClient({ host: reg.host, plainHttp: true });
    const modules = [...Array.from({ length: 24 }, (_, i) => `p${i}_prov`), 'aws_prov', 'local_prov', 'upcloud_prov'];
    let complete = 0;
    for (const module of modules) {
      const tags = await client.listTags(`killed/providers/${module}`);
      if (tags.length === 0) continue;
      await skopeoCopy(reg.host, `killed/providers/${module}:${tags[0]}`, path.join(await testdir(), 'c'));
      complete++;
    }
    assert.ok(complete < modules.length, `${complete} tags complete before the kill`);
    const again = await publishPacks({ config: await t.config(), registry: ns });
    assert.is(again.packs.length, modules.length);
    assert.is(again.packs.filter((p) => p.status === 'unchanged').length, complete);
  } finally {
    await reg.stop();
  }
});

races.run();

const review = suite('OCI publish: what a review found');

review('the artifact is built from the pack alone: metadata edited in config after packing changes no byte of the manifest', async () => {
  if (missing) return skip();
  const reg = (await startRegistry())!;
  try {
    const one = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    const two = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(one.root, 'aws');
    await pack(two.root, 'aws');
    const file = path.join(two.root, 'config/config.toml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('maintainer = "Example Team"', 'maintainer = "Someone Else"'));
    assert.is((await two.config()).distribution.metadata.maintainer, 'Someone Else');
    await publishPacks({ config: await one.config(), registry: `oci://${reg.host}/one/providers` });
    await publishPacks({ config: await two.config(), registry: `oci://${reg.host}/two/providers` });
    assert.is(await skopeoManifest(reg.host, 'two/providers/aws_prov:0.2.0'), await skopeoManifest(reg.host, 'one/providers/aws_prov:0.2.0'));
  } finally {
    await reg.stop();
  }
});

review('a tag that reads back absent for a moment after its PUT (an eventually consistent registry) is waited for, not PACK_EXISTS', async () => {
  if (missing) return skip();
  const reg = (await startRegistry())!;
  let put = false;
  let hidden = 0;
  const proxy = await proxyRegistry(reg, ({ method, path: p }) => {
    if (p === '/v2/slow/providers/aws_prov/manifests/0.2.0') {
      if (method === 'PUT') put = true;
      else if (put && hidden < 2) {
        hidden++;
        return { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };
      }
    }
    return undefined;
  });
  try {
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(t.root, 'aws');
    const result = await publishPacks({ config: await t.config(), registry: `oci://${proxy.host}/slow/providers` });
    assert.equal(result.packs.map((p) => p.status), ['published']);
    assert.is(hidden, 2, 'the read-back was answered "absent" twice, then found it');
  } finally {
    await proxy.close();
    await reg.stop();
  }
});

review('the same tar published at once from two trees, one signed and one not, is never PACK_EXISTS', async () => {
  if (missing) return skip();
  const reg = (await startRegistry())!;
  try {
    const signed = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    const { keys, config } = await keysFor(signed.root);
    await addConfig(signed.root, config);
    await pack(signed.root, 'aws', { secretKeyFile: keys.secretKeyFile });
    const unsigned = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(unsigned.root, 'aws');
    const ns = `oci://${reg.host}/same/providers`;
    const codes = await Promise.all([signed, unsigned].map(async (t) => codeOf(publishPacks({ config: await t.config(), registry: ns }))));
    assert.equal(codes, ['no error', 'no error']);
  } finally {
    await reg.stop();
  }
});

review('one module refused mid-publish (ECR: a repository nobody created): the others stay published, the failure names them, the next run completes', async () => {
  if (missing) return skip();
  const reg = (await startRegistry())!;
  let refusing = true;
  const proxy = await proxyRegistry(reg, ({ method, path: p }) => {
    if (refusing && method !== 'GET' && method !== 'HEAD' && p.startsWith('/v2/ecr/providers/upcloud_prov/')) {
      return { status: 404, body: '{"errors":[{"code":"NAME_UNKNOWN","message":"The repository with name \'upcloud_prov\' does not exist in the registry"}]}' };
    }
    return undefined;
  });
  try {
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    for (const provider of ['aws', 'local', 'upcloud']) await pack(t.root, provider);
    const ns = `oci://${proxy.host}/ecr/providers`;
    const run = await gulpWith(['pack:publish', '--base', t.root, '--registry', ns, '--silent', '--format', 'json'], {});
    assert.is.not(run.code, 0);
    const doc = JSON.parse(run.stdout);
    assert.is(doc.ok, false);
    assert.equal(doc.problems.map((p: { code: string }) => p.code), ['REGISTRY_ERROR']);
    assert.match(doc.problems[0].message, 'upcloud_prov');
    assert.equal(doc.packs.map((p: { module: string; status: string }) => `${p.module} ${p.status}`), ['aws_prov published', 'local_prov published'], run.stdout);
    // For people: the table of what is there, and gulp's closing line says how far it got.
    const table = await gulpWith(['pack:publish', '--base', t.root, '--registry', ns], {});
    assert.is.not(table.code, 0);
    assert.match(table.stdout, /aws_prov +0\.2\.0 +unchanged/);
    assert.match(table.stdout + table.stderr, '2 of 3 pack(s) published');
    assert.not.match(table.stdout + table.stderr, 'nothing was published');
    // An independent client sees the two that were published.
    await skopeoCopy(reg.host, 'ecr/providers/aws_prov:0.2.0', path.join(await testdir(), 'copy'));
    refusing = false;
    const again = await publishPacks({ config: await t.config(), registry: ns });
    assert.equal(again.packs.map((p) => `${p.module} ${p.status}`), ['aws_prov unchanged', 'local_prov unchanged', 'upcloud_prov published']);
  } finally {
    await proxy.close();
    await reg.stop();
  }
});

review.run();
