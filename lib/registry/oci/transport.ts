/**
 * The client's HTTP transport under Node: `fetch`'s shape (a Response, redirects never followed:
 * the client decides), over `node:http` / `node:https` with keep-alive agents. Measured on the
 * benchmark machine, Node 20's global fetch costs ~1 ms of CPU per registry request and this
 * ~0.3–0.4 ms: a publish of 200 packs is ~1,800 requests, and on a machine the registry shares
 * that is the difference (BENCHMARKS.md). Deno keeps its own, native fetch.
 *
 * Failures look as fetch's do, so the client's retry rules hold for both: a request that cannot
 * be sent rejects with a TypeError whose `cause` is the system error (ECONNRESET, a refused
 * certificate); a body that breaks off errors its stream.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';

export type FetchLike = (input: string, init: RequestInit & Record<string, unknown>) => Promise<Response>;

export interface NodeFetchOptions {
  /** Extra PEM certificates trusted besides Node's own (ca_file, NODE_EXTRA_CA_CERTS). */
  ca?: string[] | undefined;
}

/** Statuses whose response never has a body. */
const NO_BODY = new Set([204, 205, 304]);

export function nodeFetch({ ca }: NodeFetchOptions = {}): FetchLike {
  // Connections are kept for the next request (how many at once is the client's limiter's to say),
  // and closed after 4 s idle, as fetch's are: a registry, proxy or test server is not held open.
  const keep = { keepAlive: true, timeout: 4000 };
  const agents = {
    'http:': new http.Agent(keep),
    // `ca` replaces Node's trust store: its bundled roots go in too, so a ca_file adds to what is trusted.
    'https:': new https.Agent({ ...keep, ...(ca ? { ca: [...rootCertificates, ...ca] } : {}) }),
  };
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      const agent = agents[url.protocol as keyof typeof agents];
      if (!agent) return reject(new TypeError(`fetch failed: ${url.protocol} is not http or https`));
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
      const body = typeof init.body === 'string' ? Buffer.from(init.body) : (init.body as Uint8Array | undefined);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
      const request = (url.protocol === 'https:' ? https : http).request(url, { method, headers, agent }, (response) => {
        const status = response.statusCode ?? 502;
        const answer = new Headers();
        for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) answer.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
        if (method === 'HEAD' || NO_BODY.has(status)) {
          response.resume();
          return resolve(new Response(null, { status, headers: answer }));
        }
        // A body that breaks off (the connection closes before Content-Length) errors the stream, as fetch's does.
        response.on('aborted', () => response.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
        resolve(new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, { status, headers: answer }));
      });
      request.on('error', (error) => reject(Object.assign(new TypeError('fetch failed'), { cause: error })));
      request.end(body);
    });
}
