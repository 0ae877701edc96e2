/**
 * Versions with build metadata (`1.0.0+build.5`, semver 2.0.0) through every registry: a real
 * pack `aws_prov_1.0.0+build.5.tar` is found in the local distribution, published to a folder and
 * to a real OCI registry (tag `1.0.0_build.5`, read back by skopeo), listed and vendored.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { listRegistry } from '../../lib/registry/list.ts';
import { publishPacks } from '../../lib/registry/publish.ts';
import { REGISTRY_BIN, SKOPEO_BIN, skopeoManifest, startRegistry } from '../helpers/oci-registry.ts';
import { pack, prodTree } from '../helpers/prod-tree.ts';
import { testdir } from '../helpers/testdir.ts';

const VER = '1.0.0+build.5';
const test = suite('versions with build metadata');

async function packed() {
  const t = await prodTree('\n[distribution.oci]\nplain_http = true\n');
  const aws = await pack(t.root, 'aws', { ver: VER });
  assert.is(path.basename(aws.file), `aws_prov_${VER}.tar`);
  return { t, config: await t.config() };
}

test('vendored from the local distribution', async () => {
  const { t, config } = await packed();
  const result = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: VER });
  assert.is(result.record.version, VER);
  assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov/PACK.json')));
});

test('published to a folder registry, listed and vendored from it', async () => {
  const { t, config } = await packed();
  const registry = await testdir();
  const published = await publishPacks({ config, registry });
  assert.equal(published.packs.map((p) => [p.version, p.status]), [[VER, 'published']]);
  assert.equal((await listRegistry({ config, registry, module: 'aws_prov' })).rows.map((r) => r.version), [VER]);
  const result = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '^1.0.0', registry });
  assert.is(result.record.version, VER);
  assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov/PACK.json')));
});

test('published to an OCI registry as tag 1.0.0_build.5, listed and vendored from it', async () => {
  if (!REGISTRY_BIN || !SKOPEO_BIN) return console.warn('  (skipped: docker-registry and skopeo are needed)');
  const reg = (await startRegistry())!;
  try {
    const { t, config } = await packed();
    const ns = `oci://${reg.host}/build/providers`;
    const published = await publishPacks({ config, registry: ns });
    assert.equal(published.packs.map((p) => [p.version, p.status]), [[VER, 'published']]);
    const manifest = JSON.parse(await skopeoManifest(reg.host, 'build/providers/aws_prov:1.0.0_build.5'));
    assert.is(manifest.annotations['org.opencontainers.image.version'], VER);
    assert.is(manifest.layers[0].annotations['org.opencontainers.image.title'], `aws_prov_${VER}.tar`);
    assert.equal((await listRegistry({ config, registry: ns, module: 'aws_prov' })).rows.map((r) => r.version), [VER]);
    const result = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: VER, registry: ns });
    assert.is(result.record.version, VER);
    assert.ok(existsSync(path.join(t.wuji, 'vendor/aws_prov/PACK.json')));
  } finally {
    await reg.stop();
  }
});

test.run();
