/**
 * The OCI client on what the registry under test (distribution 2.8) never does, against small
 * loopback servers that do: tag lists over several `Link` pages (GHCR, Harbor paginate), 429 and
 * 503 answered with a retry after backoff, a dropped connection tried again, a redirect of a blob
 * to another host without the registry's credentials going along.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestOf, OciClient, parseChallenge } from '../../../lib/registry/oci/client.ts';
import { codeOf } from '../../helpers/codes.ts';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ host: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

const test = suite('OCI client');

test('tags over three Link pages, all collected', async () => {
  const pages: Record<string, { tags: string[]; next?: string }> = {
    '': { tags: ['1.0.0', '1.1.0'], next: '/v2/ns/m/tags/list?last=1.1.0&n=2' },
    '1.1.0': { tags: ['2.0.0', '2.1.0'], next: '/v2/ns/m/tags/list?last=2.1.0&n=2' },
    '2.1.0': { tags: ['3.0.0'] },
  };
  const server = await serve((req, res) => {
    const last = new URL(req.url!, 'http://x').searchParams.get('last') ?? '';
    const page = pages[last]!;
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close', ...(page.next ? { link: `<${page.next}>; rel="next"` } : {}) }).end(JSON.stringify({ name: 'ns/m', tags: page.tags }));
  });
  try {
    const client = new OciClient({ host: server.host, plainHttp: true });
    assert.equal(await client.listTags('ns/m'), ['1.0.0', '1.1.0', '2.0.0', '2.1.0', '3.0.0']);
  } finally {
    await server.close();
  }
});

test('429 and 503 are tried again with backoff; a fourth failure is REGISTRY_ERROR naming the status', async () => {
  let calls = 0;
  const flaky = await serve((_req, res) => {
    calls++;
    if (calls <= 2) return void res.writeHead(calls === 1 ? 429 : 503, { 'retry-after': '0', connection: 'close' }).end();
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"tags":["1.0.0"]}');
  });
  const down = await serve((_req, res) => void res.writeHead(503, { connection: 'close' }).end('{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}'));
  try {
    assert.equal(await new OciClient({ host: flaky.host, plainHttp: true }).listTags('ns/m'), ['1.0.0']);
    assert.is(calls, 3);
    const error = await new OciClient({ host: down.host, plainHttp: true, retries: 1 }).listTags('ns/m').then(() => undefined, (e: { code?: string; message?: string }) => e);
    assert.is(error?.code, 'REGISTRY_ERROR');
    assert.match(String(error?.message), 'HTTP 503');
    assert.match(String(error?.message), 'UNAVAILABLE');
  } finally {
    await flaky.close();
    await down.close();
  }
});

test('a connection dropped mid-answer is tried again', async () => {
  let calls = 0;
  const server = await serve((req, res) => {
    calls++;
    if (calls === 1) return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"tags":["9.9.9"]}');
  });
  try {
    assert.equal(await new OciClient({ host: server.host, plainHttp: true }).listTags('ns/m'), ['9.9.9']);
  } finally {
    await server.close();
  }
});

test('a blob redirected to storage on another host is fetched there without the registry\'s Authorization, and checked', async () => {
  const bytes = Buffer.from('pack bytes');
  const seen: (string | undefined)[] = [];
  const storage = await serve((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { connection: 'close' }).end(bytes);
  });
  const registry = await serve((req, res) => {
    if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="x"', connection: 'close' }).end();
    res.writeHead(307, { location: `http://${storage.host}/blob?sig=abc`, connection: 'close' }).end();
  });
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'oci-client-'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('u:p').toString('base64') } } }));
  try {
    const client = new OciClient({ host: registry.host, plainHttp: true, env: { DOCKER_CONFIG: dir } });
    const got = await client.getBlob('ns/m', { digest: digestOf(bytes), size: bytes.length });
    assert.ok(got.equals(bytes));
    assert.equal(seen, [undefined], 'no Authorization went to the other host');
    assert.is(await codeOf(client.getBlob('ns/m', { digest: digestOf(Buffer.from('other')), size: bytes.length })), 'INTEGRITY_MISMATCH');
  } finally {
    await registry.close();
    await storage.close();
  }
});

test('Bearer and Basic challenges are read as the spec writes them', () => {
  assert.equal(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ns/m:pull,push"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:ns/m:pull,push' },
  });
  assert.equal(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
});

test.run();
