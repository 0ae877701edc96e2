/**
 * The OCI pack source (lib/registry/oci/source.ts) against a real registry (docker-registry on
 * loopback), with a proxy in front where a registry must misbehave: a catalog that is not offered
 * is "no catalog", a catalog that fails is that failure, never an empty registry.
 */
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { vendorProvider } from '../../../lib/infra/vendor.ts';
import { isLoopback } from '../../../lib/registry/insecure.ts';
import { OciClient } from '../../../lib/registry/oci/client.ts';
import { ociSource } from '../../../lib/registry/oci/source.ts';
import { publishPacks } from '../../../lib/registry/publish.ts';
import { codeOf } from '../../helpers/codes.ts';
import { proxyRegistry, type Registry, REGISTRY_BIN, startRegistry } from '../../helpers/oci-registry.ts';
import { addConfig, keysFor, pack, prodTree } from '../../helpers/prod-tree.ts';
import { gulp, type RunResult } from '../../helpers/run.ts';
import { snapshot } from '../../helpers/snapshot.ts';

const skip = () => console.warn('  (skipped: docker-registry is needed; .ci/run installs it)');

const catalog = suite('OCI source: the catalog');
let registry: Registry | undefined;
catalog.before(async () => {
  if (REGISTRY_BIN) registry = await startRegistry();
});
catalog.after(async () => {
  await registry?.stop();
});

for (
  const [what, status, modules, vendorCode] of [
    ['offered', undefined, ['aws_prov'], 'PACK_NOT_FOUND'],
    ['not offered (404)', 404, undefined, 'PACK_NOT_FOUND'],
    ['restricted (403)', 403, undefined, 'PACK_NOT_FOUND'],
    ['failing (500)', 500, 'REGISTRY_ERROR', 'REGISTRY_ERROR'],
    ['failing (400)', 400, 'REGISTRY_ERROR', 'REGISTRY_ERROR'],
  ] as const
) {
  catalog(`a catalog ${what}: modules() is ${typeof modules === 'string' ? modules : JSON.stringify(modules)}, vendoring a module it lacks is ${vendorCode}`, async () => {
    if (!registry) return skip();
    const ns = `cat${status ?? 'ok'}/providers`;
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(t.root, 'aws');
    const config = await t.config();
    await publishPacks({ config, registry: `oci://${registry.host}/${ns}` });
    const proxy = await proxyRegistry(
      registry,
      ({ path: p }) => (status !== undefined && p === '/v2/_catalog' ? { status, body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}' } : undefined),
    );
    try {
      const source = ociSource({ client: new OciClient({ host: proxy.host, plainHttp: true, retries: 0 }), namespace: ns });
      if (typeof modules === 'string') assert.is(await codeOf(source.modules()), modules);
      else assert.equal(await source.modules(), modules);
      const before = await snapshot(t.wuji);
      // A module the namespace does not hold: "did you mean" comes from the catalog, whose failure is not hidden.
      assert.is(await codeOf(vendorProvider({ config, provider: 'upcloud', infra: 'wuji', range: '*', registry: `oci://${proxy.host}/${ns}` })), vendorCode);
      assert.equal(await snapshot(t.wuji), before);
    } finally {
      await proxy.close();
    }
  });
}

catalog.run();

const hints = suite('OCI source: PACK_NOT_FOUND hints that work when followed');
hints.before(async () => {
  if (REGISTRY_BIN) registry = await startRegistry();
});
hints.after(async () => {
  await registry?.stop();
});

/** The `npx gulp …` command in a hint, run on `root`. */
async function follow(hint: string | undefined, root: string): Promise<RunResult> {
  const m = /`npx gulp ([^`]+)`/.exec(hint ?? '');
  assert.ok(m, `the hint names a command: ${hint}`);
  return gulp([...m![1]!.split(' '), '--base', root, '--silent', '--format', 'json']);
}

hints('a misspelt provider (providers:vendor --provider awz): the hint names pack:list --registry … --provider aws, which lists its versions', async () => {
  if (!registry) return skip();
  const t = await prodTree();
  await pack(t.root, 'aws');
  const ns = `oci://${registry.host}/hints/providers`;
  // Plain HTTP from the flag only: the command in the hint must carry it too.
  await publishPacks({ config: await t.config(), registry: ns, plainHttp: true });
  const r = await gulp([
    'providers:vendor',
    '--provider',
    'awz',
    '--infra',
    'wuji',
    '--ver',
    '*',
    '--registry',
    ns,
    '--plain-http',
    '--base',
    t.root,
    '--silent',
    '--format',
    'json',
  ]);
  assert.is.not(r.code, 0);
  const [problem] = JSON.parse(r.stdout).problems as { code: string; hint?: string }[];
  assert.is(problem!.code, 'PACK_NOT_FOUND');
  const followed = await follow(problem!.hint, t.root);
  assert.is(followed.code, 0, `${problem!.hint}: ${followed.stderr}`);
  assert.equal(JSON.parse(followed.stdout).map((row: { module: string; version: string }) => `${row.module} ${row.version}`), ['aws_prov 0.2.0']);
});

hints('a manifest gone from the registry (restore by a digest it no longer has): the hint lists what the module holds now', async () => {
  if (!registry) return skip();
  const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
  await pack(t.root, 'aws');
  const config = await t.config();
  const ns = 'gone/providers';
  await publishPacks({ config, registry: `oci://${registry.host}/${ns}` });
  const source = ociSource({ client: new OciClient({ host: registry.host, plainHttp: true }), namespace: ns });
  const error = await source.openDigest('aws_prov', `sha256:${'0'.repeat(64)}`).then(() => undefined, (e: { code?: string; hint?: string }) => e);
  assert.is(error?.code, 'PACK_NOT_FOUND');
  const followed = await follow(error?.hint, t.root);
  assert.is(followed.code, 0, `${error?.hint}: ${followed.stderr}`);
  assert.equal(JSON.parse(followed.stdout).map((row: { version: string }) => row.version), ['0.2.0']);
});

hints.run();

const insecure = suite('OCI: INSECURE_REGISTRY, plain HTTP to another machine without require_signatures');

for (
  const [host, loopback] of [
    ['127.0.0.1:5000', true],
    ['127.8.9.10', true],
    ['localhost:5000', true],
    ['registry.localhost', true],
    ['[::1]:5000', true],
    ['192.0.2.2:5000', false],
    ['registry.example.com', false],
    ['[fd00::2]:5000', false],
    ['127.0.0.1.example.com', false],
  ] as const
) {
  insecure(`${host} is ${loopback ? '' : 'not '}this machine`, () => {
    assert.is(isLoopback(host), loopback);
  });
}

/** A non-loopback IPv4 address of this machine, if it has one. */
const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** A TCP forwarder on `address` to `target` (`127.0.0.1:PORT`): the registry as another machine would reach it. */
async function forwarder(address: string, target: string): Promise<{ host: string; close(): Promise<void> }> {
  const [toHost, toPort] = target.split(':');
  const open = new Set<{ destroy(): void }>();
  const server = createServer((socket) => {
    const upstream = connect(Number(toPort), toHost!);
    open.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return {
    host: `${address}:${(server.address() as { port: number }).port}`,
    // A client's idle keep-alive connection would hold close() open: closing is closing them too.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

insecure.before(async () => {
  if (REGISTRY_BIN) registry = await startRegistry();
});
insecure.after(async () => {
  await registry?.stop();
});

insecure('publish and vendor over plain HTTP warn INSECURE_REGISTRY on a non-loopback address, not on loopback, not with require_signatures', async () => {
  if (!registry) return skip();
  if (!external) return console.warn('  (skipped: this machine has no non-loopback IPv4 address)');
  const far = await forwarder(external, registry.host);
  try {
    const codes = (warnings: { code: string }[]) => warnings.map((w) => w.code).filter((c) => c === 'INSECURE_REGISTRY');
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(t.root, 'aws');
    const config = await t.config();
    const published = await publishPacks({ config, registry: `oci://${far.host}/far/providers` });
    assert.equal(codes(published.warnings), ['INSECURE_REGISTRY']);
    const vendored = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: `oci://${far.host}/far/providers` });
    assert.equal(codes(vendored.warnings), ['INSECURE_REGISTRY']);
    // The same registry on loopback never leaves this machine.
    const near = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(near.root, 'aws');
    assert.equal(codes((await publishPacks({ config: await near.config(), registry: `oci://${registry.host}/far/providers` })).warnings), []);
    assert.equal(
      codes((await vendorProvider({ config: await near.config(), provider: 'aws', infra: 'wuji', range: '*', registry: `oci://${registry.host}/far/providers` })).warnings),
      [],
    );
    // Signatures required: a swapped pack fails its signature, so plain HTTP is no warning.
    const signed = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    const { keys, config: signing } = await keysFor(signed.root, true);
    await addConfig(signed.root, signing);
    await pack(signed.root, 'aws', { secretKeyFile: keys.secretKeyFile });
    const signedConfig = await signed.config();
    assert.equal(codes((await publishPacks({ config: signedConfig, registry: `oci://${far.host}/signed/providers` })).warnings), []);
    assert.equal(codes((await vendorProvider({ config: signedConfig, provider: 'aws', infra: 'wuji', range: '*', registry: `oci://${far.host}/signed/providers` })).warnings), []);
  } finally {
    await far.close();
  }
});

insecure.run();
