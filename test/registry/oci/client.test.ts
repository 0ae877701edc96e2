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
import { listenLoopback } from '../../helpers/loopback.ts';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ host: string; close(): Promise<void> }> {
  return listenLoopback(createServer(handler));
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
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close', ...(page.next ? { link: `<${page.next}>; rel="next"` } : {}) }).end(
      JSON.stringify({ name: 'ns/m', tags: page.tags }),
    );
  });
  try {
    const client = new OciClient({ host: server.host, plainHttp: true });
    assert.equal(await client.listTags('ns/m'), ['1.0.0', '1.1.0', '2.0.0', '2.1.0', '3.0.0']);
  } finally {
    await server.close();
  }
});

test('HTTPS to a registry that speaks plain HTTP is REGISTRY_ERROR whose hint says --plain-http, not a certificate', async () => {
  const server = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"tags":[]}'));
  try {
    const error = await new OciClient({ host: server.host, retries: 0 }).listTags('ns/m').then(() => undefined, (e: { code?: string; hint?: string }) => e);
    assert.is(error?.code, 'REGISTRY_ERROR');
    assert.match(String(error?.hint), '--plain-http');
    assert.not.match(String(error?.hint), 'ca_file');
    // Followed, the hint works.
    assert.equal(await new OciClient({ host: server.host, plainHttp: true }).listTags('ns/m'), []);
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

test("a blob redirected to storage on another host is fetched there without the registry's Authorization, and checked", async () => {
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

const review = suite('OCI client: what a review found');

review('an upload Location that drops from https to http is refused, and no credentials go over plain HTTP', async () => {
  const { OPENSSL_BIN, makeTls } = await import('../../helpers/oci-registry.ts');
  if (!OPENSSL_BIN) return console.warn('  (skipped: openssl is needed)');
  const tls = await makeTls();
  const { readFile, mkdtemp, writeFile } = await import('node:fs/promises');
  const https = await import('node:https');
  const seenPlain: (string | undefined)[] = [];
  const plain = await serve((req, res) => {
    seenPlain.push(req.headers.authorization);
    res.writeHead(201, { connection: 'close' }).end();
  });
  const secure = https.createServer({ cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) }, (req, res) => {
    if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="x"', connection: 'close' }).end();
    if (req.method === 'HEAD') return void res.writeHead(404, { connection: 'close' }).end();
    res.writeHead(202, { location: `http://${plain.host}/v2/ns/m/blobs/uploads/u1?_state=x`, connection: 'close' }).end();
  });
  await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(secure.address() as { port: number }).port}`;
  const path = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(path.join(tmpdir(), 'oci-client-'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
  try {
    const client = new OciClient({ host, caFile: tls.caFile, env: { DOCKER_CONFIG: dir } });
    assert.is(await codeOf(client.pushBlob('ns/m', Buffer.from('x'))), 'REGISTRY_ERROR');
    assert.equal(seenPlain, [], 'nothing, least of all the login, went to plain HTTP');
  } finally {
    await plain.close();
    await new Promise<void>((resolve) => {
      secure.close(() => resolve());
      secure.closeAllConnections?.();
    });
  }
});

review('an upload PUT answered 502 is not sent again to its used-up session: the upload starts over', async () => {
  const calls: string[] = [];
  let puts = 0;
  const server = await serve((req, res) => {
    calls.push(`${req.method} ${new URL(req.url!, 'http://x').pathname}`);
    req.resume();
    if (req.method === 'HEAD') return void res.writeHead(404, { connection: 'close' }).end();
    if (req.method === 'POST') return void res.writeHead(202, { location: `/v2/ns/m/blobs/uploads/u${calls.length}?_state=s`, connection: 'close' }).end();
    puts++;
    if (puts === 1) return void res.writeHead(502, { connection: 'close' }).end();
    res.writeHead(201, { connection: 'close' }).end();
  });
  try {
    assert.is(await new OciClient({ host: server.host, plainHttp: true }).pushBlob('ns/m', Buffer.from('blob')), 'uploaded');
    const putPaths = calls.filter((c) => c.startsWith('PUT')).map((c) => c.split(' ')[1]);
    assert.is(putPaths.length, 2);
    assert.is.not(putPaths[0], putPaths[1], 'the second PUT goes to a new upload session');
  } finally {
    await server.close();
  }
});

review('a blob whose body breaks off mid-way is fetched again (the digest check makes it safe)', async () => {
  const bytes = Buffer.alloc(200_000, 7);
  let calls = 0;
  const server = await serve((req, res) => {
    calls++;
    res.writeHead(200, { 'content-length': bytes.length });
    if (calls === 1) {
      res.write(bytes.subarray(0, 1000));
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    res.end(bytes);
  });
  try {
    const got = await new OciClient({ host: server.host, plainHttp: true }).getBlob('ns/m', { digest: digestOf(bytes), size: bytes.length });
    assert.ok(got.equals(bytes));
    assert.is(calls, 2);
  } finally {
    await server.close();
  }
});

review('a redirected manifest PUT is not a success; an expired identitytoken is REGISTRY_AUTH', async () => {
  const server = await serve((req, res) => {
    req.resume();
    if (req.url?.startsWith('/token')) return void res.writeHead(400, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"invalid_grant"}');
    if (!req.headers.authorization && req.url?.includes('tokened')) {
      return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="s"`, connection: 'close' }).end();
    }
    res.writeHead(307, { location: '/elsewhere', connection: 'close' }).end();
  });
  const path = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(path.join(tmpdir(), 'oci-client-'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [server.host]: { identitytoken: 'expired' } } }));
  try {
    const client = new OciClient({ host: server.host, plainHttp: true, env: { DOCKER_CONFIG: dir } });
    assert.is(await codeOf(client.putManifest('ns/m', '1.0.0', Buffer.from('{}'))), 'REGISTRY_ERROR');
    assert.is(await codeOf(client.listTags('ns/tokened')), 'REGISTRY_AUTH');
  } finally {
    await server.close();
  }
});

review('an unreachable registry is REGISTRY_ERROR for the catalog too, never "no catalog"', async () => {
  const client = new OciClient({ host: '127.0.0.1:9', plainHttp: true, retries: 0 });
  assert.is(await codeOf(client.catalog()), 'REGISTRY_ERROR');
});

review.run();
