/**
 * providers:vendor from the local distribution, a directory registry and a real loopback HTTP
 * registry; refusals that change nothing; install switching back to the link; validate
 * --production; pack:clean keeping vendored versions.
 */
import { existsSync } from 'node:fs';
import { copyFile, lstat, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { removeProvider } from '../../lib/infra/remove.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { plainHttpWarning } from '../../lib/registry/insecure.ts';
import { publishPacks } from '../../lib/registry/publish.ts';
import type { MetadataSource } from '../../lib/registry/source.ts';
import { fetchVerifiedPack } from '../../lib/registry/fetch.ts';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { gulp } from '../helpers/run.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { addConfig, keysFor, pack, type ProdTree, prodTree, serve } from '../helpers/prod-tree.ts';
import { codeOf } from '../helpers/codes.ts';

const PIN = 'aws_prov = { path = "./vendor/aws_prov", version = "0.2.0" }\n';
const codes = (problems: { code: string }[]) => problems.map((p) => p.code).sort();

/** What a vendored wuji must look like: pinned, recorded, extracted, no link. */
async function assertVendored(t: ProdTree, tomlBefore: string, integrity: string): Promise<void> {
  const toml = await readFile(t.toml, 'utf8');
  assert.is(toml.replace(PIN, ''), tomlBefore, 'every other byte of manifest.toml (comments, spacing) is kept');
  assert.ok(toml.includes(PIN));
  const yaml = await readFile(t.yaml, 'utf8');
  assert.match(yaml, '# Providers used by wuji');
  for (const line of ['module: aws_prov', 'mode: vendor', 'version: 0.2.0', `integrity: ${integrity}`, 'language: nickel']) assert.match(yaml, line);
  assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov/PACK.json')));
  assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov/server_aws.ncl')));
  assert.not.ok(existsSync(path.join(t.wuji, '.nickel-modules/aws_prov')), 'the dev link is gone');
  assert.equal((await validateInfras({ config: await t.config(), production: true })).errors, []);
}

/** wuji with aws installed as a link, aws 0.1.0 and 0.2.0 packed (0.3.0 would not match ~0.2). */
async function linkedTree(signing = '') {
  const t = await prodTree(signing);
  const config = await t.config();
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  const tomlLinked = await readFile(t.toml, 'utf8');
  const tomlBefore = tomlLinked.replace('aws_prov = { path = "./.nickel-modules/aws_prov" }\n', '');
  await pack(t.root, 'aws', { ver: '0.1.0' });
  const aws = await pack(t.root, 'aws');
  return { t, config, aws, tomlBefore };
}

const local = suite('providers:vendor');

local('from the local distribution: highest match, pinned (comments kept), recorded, link dropped; again is a no-op', async () => {
  const { t, config, aws, tomlBefore } = await linkedTree();
  const result = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '>=0.1 <1' });
  assert.is(result.record.version, '0.2.0');
  assert.is(result.record.source, 'distribution/packages/aws_prov_0.2.0.tar');
  await assertVendored(t, tomlBefore, aws.integrity);
  const before = await snapshot(t.root);
  const again = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^0.2' });
  assert.equal(again.changes, []);
  assert.equal(await snapshot(t.root), before);
});

local('a range nothing matches is VERSION_MISMATCH; an unknown module PACK_NOT_FOUND; nothing changed', async () => {
  const { t, config } = await linkedTree();
  const before = await snapshot(t.root);
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^2' })), 'VERSION_MISMATCH');
  assert.is(await codeOf(vendorProvider({ config, provider: 'upcloud', infra: 'wuji', range: '*' })), 'PACK_NOT_FOUND');
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: 'not a range' })), 'INVALID_OPTION');
  assert.is(await codeOf(vendorProvider({ config, provider: '../aws', infra: 'wuji', range: '*' })), 'INVALID_NAME');
  assert.equal(await snapshot(t.root), before);
});

local('from a directory registry (pack:publish), into a fresh clone that has no packs of its own', async () => {
  const { t: source } = await linkedTree();
  const registry = await testdir();
  await publishPacks({ config: await source.config(), registry });
  const t = await prodTree();
  const tomlBefore = await readFile(t.toml, 'utf8');
  const meta = JSON.parse(await readFile(path.join(registry, 'registry/aws_prov.json'), 'utf8'));
  const result = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '~0.2', registry });
  assert.is(result.record.source, path.join(registry, 'packages/aws_prov_0.2.0.tar'));
  await assertVendored(t, tomlBefore, meta.integrity);
});

local('from a real HTTP registry on 127.0.0.1 (fetch), signature verified', async () => {
  const src = await prodTree();
  const { keys, config: signing } = await keysFor(src.root);
  await addConfig(src.root, signing);
  await pack(src.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const registry = await testdir();
  await publishPacks({ config: await src.config(), registry });
  const server = await serve(registry);
  try {
    const t = await prodTree(`\n[distribution.signing]\npublic_keys = [${JSON.stringify(keys.publicKeyFile)}]\nrequire_signatures = true\n`);
    const tomlBefore = await readFile(t.toml, 'utf8');
    const result = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.2.0', registry: server.url });
    assert.is(result.keyId, keys.keyId);
    assert.is(result.record.source, `${server.url}packages/aws_prov_0.2.0.tar`);
    assert.ok(server.requests.includes('/packages/aws_prov_0.2.0.tar'));
    assert.ok(server.requests.includes('/packages/aws_prov_0.2.0.tar.minisig'));
    const meta = JSON.parse(await readFile(path.join(registry, 'registry/aws_prov.json'), 'utf8'));
    await assertVendored(t, tomlBefore, meta.integrity);
    // A module the registry does not have: PACK_NOT_FOUND (HTTP 404), nothing changed.
    const before = await snapshot(t.root);
    assert.is(await codeOf(vendorProvider({ config: await t.config(), provider: 'upcloud', infra: 'wuji', range: '*', registry: server.url })), 'PACK_NOT_FOUND');
    assert.equal(await snapshot(t.root), before);
  } finally {
    await server.close();
  }
});

local('require_signatures with an unsigned pack is SIGNATURE_MISSING, and nothing changed', async () => {
  const t0 = await prodTree();
  const { keys, config } = await keysFor(t0.root, true);
  await addConfig(t0.root, config);
  const cfg = await t0.config();
  await installProvider({ config: cfg, provider: 'aws', infra: 'wuji' });
  await pack(t0.root, 'aws'); // not signed
  const before = await snapshot(t0.root);
  assert.is(await codeOf(vendorProvider({ config: cfg, provider: 'aws', infra: 'wuji', range: '*' })), 'SIGNATURE_MISSING');
  assert.equal(await snapshot(t0.root), before);
  assert.ok(keys.keyId);
});

local('a tampered download is INTEGRITY_MISMATCH (HTTP registry), a bad signature SIGNATURE_INVALID; nothing changed', async () => {
  const src = await prodTree();
  const { keys, config: signing } = await keysFor(src.root);
  await addConfig(src.root, signing);
  await pack(src.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const registry = await testdir();
  await publishPacks({ config: await src.config(), registry });
  const tar = path.join(registry, 'packages/aws_prov_0.2.0.tar');
  const good = await readFile(tar);
  const server = await serve(registry);
  try {
    const t = await prodTree(`\n[distribution.signing]\npublic_keys = [${JSON.stringify(keys.publicKeyFile)}]\n`);
    const config = await t.config();
    await installProvider({ config, provider: 'aws', infra: 'wuji' });
    const before = await snapshot(t.root);
    const bad = Buffer.from(good);
    bad[700] = bad[700]! ^ 1;
    await writeFile(tar, bad);
    assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: server.url })), 'INTEGRITY_MISMATCH');
    await writeFile(tar, Buffer.concat([good, Buffer.alloc(1024)])); // longer than the metadata says
    assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: server.url })), 'INTEGRITY_MISMATCH');
    await writeFile(tar, good);
    const sig = `${tar}.minisig`;
    const lines = (await readFile(sig, 'utf8')).split('\n');
    lines[2] = lines[2]!.replace('timestamp:', 'timestamp:9');
    await writeFile(sig, lines.join('\n'));
    assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: server.url })), 'SIGNATURE_INVALID');
    assert.equal(await snapshot(t.root), before);
  } finally {
    await server.close();
  }
});

local('a hand-edited manifest.toml entry is DRIFT, nothing changed', async () => {
  const { t, config } = await linkedTree();
  const text = (await readFile(t.toml, 'utf8')).replace('./.nickel-modules/aws_prov', '../elsewhere/aws');
  await writeFile(t.toml, text);
  const before = await snapshot(t.root);
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' })), 'DRIFT');
  assert.equal(await snapshot(t.root), before);
});

local('a registry whose package_file leaves the registry (../) is REGISTRY_ERROR, nothing read or changed', async () => {
  const { t: source } = await linkedTree();
  const registry = await testdir();
  await publishPacks({ config: await source.config(), registry });
  const metaFile = path.join(registry, 'registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  meta.versions['0.2.0'].package_file = '../../outside/aws_prov_0.2.0.tar';
  await writeFile(metaFile, JSON.stringify(meta));
  const t = await prodTree();
  const before = await snapshot(t.root);
  assert.is(await codeOf(vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.2.0', registry })), 'REGISTRY_ERROR');
  assert.equal(await snapshot(t.root), before);
});

const back = suite('vendored copies: install back to the link, re-vendor, remove');

back('install switches a vendored provider back to the link; an edited copy is VENDOR_MODIFIED unless --force', async () => {
  const { t, config } = await linkedTree();
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.1.0' });
  const edited = path.join(t.wuji, 'vendor/aws_prov/defaults_aws.ncl');
  const original = await readFile(edited);
  await writeFile(edited, '{ zone = "mine" }\n');
  const before = await snapshot(t.root);
  assert.is(await codeOf(installProvider({ config, provider: 'aws', infra: 'wuji' })), 'VENDOR_MODIFIED');
  assert.is(await codeOf(removeProvider({ config, provider: 'aws', infra: 'wuji' })), 'VENDOR_MODIFIED');
  assert.is(await codeOf(vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0' })), 'VENDOR_MODIFIED');
  assert.equal(await snapshot(t.root), before, 'the edit is still there');
  // An added file is an edit too.
  await writeFile(edited, original);
  await writeFile(path.join(t.wuji, 'vendor/aws_prov/notes.txt'), 'mine');
  assert.is(await codeOf(installProvider({ config, provider: 'aws', infra: 'wuji' })), 'VENDOR_MODIFIED');
  await rm(path.join(t.wuji, 'vendor/aws_prov/notes.txt'));
  // Intact again: re-vendoring to 0.2.0 replaces it, and install switches back.
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '0.2.0' });
  assert.match(await readFile(t.toml, 'utf8'), 'version = "0.2.0"');
  await installProvider({ config, provider: 'aws', infra: 'wuji' });
  assert.match(await readFile(t.toml, 'utf8'), 'aws_prov = { path = "./.nickel-modules/aws_prov" }');
  assert.not.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov')));
  assert.ok((await lstat(path.join(t.wuji, '.nickel-modules/aws_prov'))).isSymbolicLink());
  const yaml = await readFile(t.yaml, 'utf8');
  assert.match(yaml, 'mode: link');
  assert.not.match(yaml, 'integrity');
});

back('--force discards the local edit', async () => {
  const { t, config } = await linkedTree();
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  await writeFile(path.join(t.wuji, 'vendor/aws_prov/defaults_aws.ncl'), 'edited');
  await installProvider({ config, provider: 'aws', infra: 'wuji', force: true });
  assert.not.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov')));
});

const production = suite('providers:validate --production');

production('fails on link mode, unpinned versions and drifted vendored files, naming each', async () => {
  const { t, config } = await linkedTree();
  assert.equal(codes((await validateInfras({ config, production: true })).errors), ['PRODUCTION_LINK_MODE']);
  await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' });
  await writeFile(path.join(t.wuji, 'vendor/aws_prov/defaults_aws.ncl'), '{ zone = "drifted" }\n');
  await rm(path.join(t.wuji, 'vendor/aws_prov/network_aws.ncl'));
  // upcloud linked with no version in its manifest: unpinned.
  const manifest = path.join(t.root, 'extensions/providers/upcloud/nickel/manifest.toml');
  await writeFile(manifest, (await readFile(manifest, 'utf8')).replace(/^version = .*$/m, ''));
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
  const { errors } = await validateInfras({ config, production: true });
  const drift = errors.filter((p) => p.code === 'VENDOR_DRIFT');
  assert.equal(drift.map((p) => p.file).sort(), ['workspace/infra/wuji/vendor/aws_prov/defaults_aws.ncl', 'workspace/infra/wuji/vendor/aws_prov/network_aws.ncl']);
  assert.ok(errors.some((p) => p.code === 'PRODUCTION_LINK_MODE' && p.message.includes('upcloud')));
  assert.ok(errors.some((p) => p.code === 'VERSION_UNPINNED' && p.message.includes('upcloud')));
  // Without --production, drift in vendored files is not an error.
  assert.not.ok((await validateInfras({ config })).errors.some((p) => p.code === 'VENDOR_DRIFT'));
});

const flow = suite('the vendor flow through gulp (subprocesses)');

flow('pack, vendor, validate --production, pack:clean keeps the vendored version unless --force', async () => {
  const t = await prodTree();
  const tomlBefore = await readFile(t.toml, 'utf8');
  const base = ['--base', t.root, '--silent'];
  for (const ver of ['0.1.0', '0.2.0', '0.3.0']) {
    const r = await gulp(['pack:provider', '--provider', 'aws', '--ver', ver, ...base]);
    assert.is(r.code, 0, r.stderr);
  }
  const v = await gulp(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '~0.2.0', ...base]);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, 'vendored aws 0.2.0 into wuji');
  const meta = JSON.parse(await readFile(path.join(t.root, 'distribution/registry/aws_prov.json'), 'utf8'));
  await assertVendored(t, tomlBefore, meta.versions['0.2.0'].integrity);
  const ok = await gulp(['providers:validate', '--production', ...base]);
  assert.is(ok.code, 0, ok.stderr);
  const clean = await gulp(['pack:clean', '--keep-latest', '1', '--format', 'json', ...base]);
  assert.is(clean.code, 0, clean.stderr);
  const rows = JSON.parse(clean.stdout).entries as { version: string; action: string }[];
  assert.equal(rows.map((r) => [r.version, r.action]), [['0.3.0', 'keep'], ['0.2.0', 'kept: vendored in wuji'], ['0.1.0', 'deleted']]);
  assert.ok(existsSync(path.join(t.root, 'distribution/packages/aws_prov_0.2.0.tar')));
  assert.not.ok(existsSync(path.join(t.root, 'distribution/packages/aws_prov_0.1.0.tar')));
  const forced = await gulp(['pack:clean', '--keep-latest', '1', '--force', ...base]);
  assert.is(forced.code, 0, forced.stderr);
  assert.not.ok(existsSync(path.join(t.root, 'distribution/packages/aws_prov_0.2.0.tar')));
  // A vendor failure through gulp: coded, non-zero.
  const bad = await gulp(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '^9', '--base', t.root]);
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, 'VERSION_MISMATCH');
});

const redirects = suite('HTTP registry redirects');

/**
 * A static server for `dir` on `host` (undefined when that address cannot be bound: 127.0.0.2 is
 * not on every OS); a request `redirect` maps to a location gets a 302 there instead.
 */
async function registryServer(host: string, dir: string, redirect: (url: string) => string | undefined = () => undefined) {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const location = redirect(url);
    if (location !== undefined) return void res.writeHead(302, { location, connection: 'close' }).end();
    const body = await readFile(path.join(dir, ...url.split('/').filter((p) => p && p !== '..'))).catch(() => undefined);
    res.writeHead(body ? 200 : 404, { connection: 'close' }).end(body ?? 'not found');
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, host, () => resolve(true));
  });
  if (!bound) return undefined;
  const { port } = server.address() as { port: number };
  return { url: `http://${host}:${port}/`, requests, close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections?.())) };
}

/** A registry folder with aws 0.2.0 published. */
async function published(): Promise<string> {
  const src = await prodTree();
  await pack(src.root, 'aws');
  const registry = await testdir();
  await publishPacks({ config: await src.config(), registry });
  return registry;
}

redirects('an HTTP registry never follows a redirect to another origin (127.0.0.2, another port): REGISTRY_ERROR naming the target, nothing fetched there', async () => {
  const registry = await published();
  for (const host of ['127.0.0.2', '127.0.0.1']) {
    const elsewhere = await registryServer(host, registry);
    if (!elsewhere) {
      console.log(`SKIP: cannot listen on ${host} here; the redirect to it is not tried`);
      continue;
    }
    const target = new URL(elsewhere.url).origin;
    const named = (await registryServer('127.0.0.1', registry, (url) => `${target}${url}`))!;
    try {
      const t = await prodTree();
      const before = await snapshot(t.root);
      const error = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.2.0', registry: named.url }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      assert.is(error?.code, 'REGISTRY_ERROR', host);
      assert.match(error!.message, target, `${host}: the message names the target`);
      assert.equal(elsewhere.requests, [], `${host}: nothing was fetched from the other origin`);
      assert.equal(await snapshot(t.root), before, `${host}: nothing changed`);
    } finally {
      await named.close();
      await elsewhere.close();
    }
  }
});

redirects('a redirect within the same origin is followed', async () => {
  const registry = await published();
  const server = (await registryServer('127.0.0.1', registry, (url) => (url.startsWith('/old/') ? url.slice('/old'.length) : undefined)))!;
  try {
    const t = await prodTree();
    const result = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.2.0', registry: `${server.url}old/` });
    assert.is(result.record.version, '0.2.0');
    assert.ok(server.requests.includes('/old/registry/aws_prov.json'));
    assert.ok(server.requests.includes('/registry/aws_prov.json'));
  } finally {
    await server.close();
  }
});

redirects('providers:vendor from a plain http: registry without require_signatures warns once (gulp subprocess)', async () => {
  const registry = await published();
  const server = (await registryServer('127.0.0.1', registry))!;
  try {
    assert.is(plainHttpWarning('https://example.org/reg', { requireSignatures: false }), undefined);
    assert.is(plainHttpWarning('http://example.org/reg', { requireSignatures: true }), undefined);
    assert.is(plainHttpWarning(undefined, { requireSignatures: false }), undefined);
    const t = await prodTree();
    const r = await gulp(['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '0.2.0', '--registry', server.url, '--base', t.root]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr.split(plainHttpWarning(server.url, { requireSignatures: false })!.message).length, 2, r.stderr);
  } finally {
    await server.close();
  }
});

redirects('vendorProvider itself returns the plain http: warning in its warnings (scripts see it too), once', async () => {
  const registry = await published();
  const server = (await registryServer('127.0.0.1', registry))!;
  try {
    const t = await prodTree();
    const result = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.2.0', registry: server.url });
    const warning = plainHttpWarning(server.url, { requireSignatures: false })!;
    assert.equal(result.warnings.filter((w) => w.message === warning.message), [warning]);
  } finally {
    await server.close();
  }
});

local('fetchVerifiedPack ties a signature to package_file itself: a PackSource that does not check the signed name still gets SIGNATURE_INVALID', async () => {
  const src = await prodTree();
  const { keys, config: signing } = await keysFor(src.root);
  await addConfig(src.root, signing);
  const old = await pack(src.root, 'aws', { ver: '0.1.0', secretKeyFile: keys.secretKeyFile });
  // A third-party source: serves 0.1.0's validly signed tar and signature as 0.2.0, no name check of its own.
  const record = { package_file: 'packages/aws_prov_0.2.0.tar', integrity: old.integrity, size: old.size, created: '2025-01-01 00:00:00', exported: false };
  const source: MetadataSource = {
    label: 'custom',
    metadata: async () => ({ name: 'aws_prov', version: '0.2.0', ...record, maintainer: '', repository: '', license: '', homepage: '', versions: { '0.2.0': record } }),
    modules: async () => ['aws_prov'],
    where: () => 'custom:aws_prov_0.2.0.tar',
    fetchPackage: async (_r, dest) => copyFile(old.file, dest),
    fetchSignature: async (_r, dest) => copyFile(`${old.file}.minisig`, dest).then(() => true),
  };
  const tmpDir = await testdir();
  const { signing: settings } = (await src.config()).distribution;
  assert.is(await codeOf(fetchVerifiedPack({ source, module: 'aws_prov', range: '0.2.0', signing: settings, tmpDir })), 'SIGNATURE_INVALID');
});

local("vendoring ties a signature to its file: another version's signed tar under this version's name is SIGNATURE_INVALID (directory and HTTP registry)", async () => {
  const src = await prodTree();
  const { keys, config: signing } = await keysFor(src.root);
  await addConfig(src.root, signing);
  const old = await pack(src.root, 'aws', { ver: '0.1.0', secretKeyFile: keys.secretKeyFile });
  await pack(src.root, 'aws', { secretKeyFile: keys.secretKeyFile });
  const registry = await testdir();
  await publishPacks({ config: await src.config(), registry });
  // The registry's 0.2.0 becomes the validly signed 0.1.0, metadata agreeing.
  await writeFile(path.join(registry, 'packages/aws_prov_0.2.0.tar'), await readFile(old.file));
  await writeFile(path.join(registry, 'packages/aws_prov_0.2.0.tar.minisig'), await readFile(`${old.file}.minisig`));
  const metaFile = path.join(registry, 'registry/aws_prov.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  Object.assign(meta.versions['0.2.0'], { integrity: old.integrity, size: old.size });
  await writeFile(metaFile, JSON.stringify(meta));
  const server = await serve(registry);
  try {
    for (const from of [registry, server.url]) {
      const t = await prodTree(`\n[distribution.signing]\npublic_keys = [${JSON.stringify(keys.publicKeyFile)}]\n`);
      const before = await snapshot(t.root);
      assert.is(await codeOf(vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.2.0', registry: from })), 'SIGNATURE_INVALID', from);
      assert.equal(await snapshot(t.root), before, from);
      // 0.1.0 itself, under its own name, still vendors.
      const ok = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '0.1.0', registry: from });
      assert.is(ok.keyId, keys.keyId);
    }
  } finally {
    await server.close();
  }
});

local.run();
redirects.run();
back.run();
production.run();
flow.run();

const languages = suite('providers:vendor: the language the infra uses');

languages('a provider installed from its legacy kcl/ folder is not silently vendored from its nickel/ pack: LANGUAGE_MISMATCH naming both; --force vendors it', async () => {
  const t = await prodTree();
  const config = await t.config();
  await installProvider({ config, provider: 'local', infra: 'wuji', lang: 'kcl' });
  await pack(t.root, 'local');
  const before = await snapshot(t.root);
  const error = await vendorProvider({ config, provider: 'local', infra: 'wuji', range: '*' }).then(() => undefined, (e: { code?: string; message?: string }) => e);
  assert.is(error?.code, 'LANGUAGE_MISMATCH');
  assert.match(String(error?.message), 'kcl');
  assert.match(String(error?.message), 'nickel');
  assert.equal(await snapshot(t.root), before);
  const forced = await vendorProvider({ config, provider: 'local', infra: 'wuji', range: '*', force: true });
  assert.is(forced.record.language, 'nickel');
});

languages.run();
