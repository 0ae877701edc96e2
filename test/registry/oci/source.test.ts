/**
 * The OCI pack source (lib/registry/oci/source.ts) against a real registry (docker-registry on
 * loopback), with a proxy in front where a registry must misbehave: a catalog that is not offered
 * is "no catalog", a catalog that fails is that failure, never an empty registry.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { vendorProvider } from '../../../lib/infra/vendor.ts';
import { OciClient } from '../../../lib/registry/oci/client.ts';
import { ociSource } from '../../../lib/registry/oci/source.ts';
import { publishPacks } from '../../../lib/registry/publish.ts';
import { codeOf } from '../../helpers/codes.ts';
import { proxyRegistry, REGISTRY_BIN, startRegistry, type Registry } from '../../helpers/oci-registry.ts';
import { pack, prodTree } from '../../helpers/prod-tree.ts';
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

for (const [what, status, modules, vendorCode] of [
  ['offered', undefined, ['aws_prov'], 'PACK_NOT_FOUND'],
  ['not offered (404)', 404, [], 'PACK_NOT_FOUND'],
  ['restricted (403)', 403, [], 'PACK_NOT_FOUND'],
  ['failing (500)', 500, 'REGISTRY_ERROR', 'REGISTRY_ERROR'],
  ['failing (400)', 400, 'REGISTRY_ERROR', 'REGISTRY_ERROR'],
] as const) {
  catalog(`a catalog ${what}: modules() is ${typeof modules === 'string' ? modules : JSON.stringify(modules)}, vendoring a module it lacks is ${vendorCode}`, async () => {
    if (!registry) return skip();
    const ns = `cat${status ?? 'ok'}/providers`;
    const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
    await pack(t.root, 'aws');
    const config = await t.config();
    await publishPacks({ config, registry: `oci://${registry.host}/${ns}` });
    const proxy = await proxyRegistry(registry, ({ path: p }) => (status !== undefined && p === '/v2/_catalog' ? { status, body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}' } : undefined));
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
