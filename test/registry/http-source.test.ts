/**
 * An http(s) registry (lib/registry/http-source.ts) that answers what a static server can get
 * wrong, on loopback: a module's metadata missing while its index fails, or is missing too.
 */
import { createServer } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { vendorProvider } from '../../lib/infra/vendor.ts';
import { codeOf } from '../helpers/codes.ts';
import { listenLoopback } from '../helpers/loopback.ts';
import { prodTree } from '../helpers/prod-tree.ts';
import { snapshot } from '../helpers/snapshot.ts';

/** A server answering `routes[path]` (status, body), 404 for anything else. */
async function answering(routes: Record<string, [number, string]>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const [status, body] = routes[new URL(req.url ?? '/', 'http://x').pathname] ?? [404, 'not found'];
    res.writeHead(status, { connection: 'close' }).end(body);
  });
  const { host, close } = await listenLoopback(server);
  return { url: `http://${host}/`, close };
}

const test = suite('http registry: listing its modules');

test('a missing module while index.json fails (500) is REGISTRY_ERROR, not PACK_NOT_FOUND; nothing changed', async () => {
  const server = await answering({ '/index.json': [500, 'boom'] });
  try {
    const t = await prodTree();
    const before = await snapshot(t.root);
    assert.is(await codeOf(vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '*', registry: server.url })), 'REGISTRY_ERROR');
    assert.equal(await snapshot(t.root), before);
  } finally {
    await server.close();
  }
});

test('a missing module while index.json lists others is PACK_NOT_FOUND with "did you mean"', async () => {
  const server = await answering({ '/index.json': [200, JSON.stringify({ modules: { awz_prov: {} } })] });
  try {
    const t = await prodTree();
    const error = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '*', registry: server.url }).then(
      () => undefined,
      (e: { code?: string; hint?: string }) => e,
    );
    assert.is(error?.code, 'PACK_NOT_FOUND');
    assert.match(String(error?.hint), '"awz_prov"');
  } finally {
    await server.close();
  }
});

test('a URL serving nothing (no metadata, no index.json) is PACK_NOT_FOUND saying nothing is there, not "no modules exist yet", with a hint to check the URL', async () => {
  const server = await answering({});
  try {
    const t = await prodTree();
    const error = await vendorProvider({ config: await t.config(), provider: 'aws', infra: 'wuji', range: '*', registry: server.url }).then(
      () => undefined,
      (e: { code?: string; message?: string; hint?: string }) => e,
    );
    assert.is(error?.code, 'PACK_NOT_FOUND');
    assert.match(String(error?.message), server.url);
    assert.match(String(error?.hint), 'index.json');
    assert.match(String(error?.hint), 'URL');
    assert.not.match(`${error?.message} ${error?.hint}`, 'exist yet');
  } finally {
    await server.close();
  }
});

test('"or pass --registry" only when no registry was given', async () => {
  const server = await answering({ '/index.json': [200, JSON.stringify({ modules: { other_prov: {} } })] });
  try {
    const t = await prodTree();
    const config = await t.config();
    const given = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*', registry: server.url }).then(
      () => undefined,
      (e: { code?: string; hint?: string }) => e,
    );
    assert.is(given?.code, 'PACK_NOT_FOUND');
    assert.not.match(String(given?.hint), 'pass --registry');
    // The local distribution, nothing packed: packing it or naming a registry are both ways out.
    const local = await vendorProvider({ config, provider: 'aws', infra: 'wuji', range: '*' }).then(() => undefined, (e: { code?: string; hint?: string }) => e);
    assert.is(local?.code, 'PACK_NOT_FOUND');
    assert.match(String(local?.hint), 'pass --registry');
    assert.match(String(local?.hint), '`npx gulp pack:provider --provider aws`');
  } finally {
    await server.close();
  }
});

test.run();
