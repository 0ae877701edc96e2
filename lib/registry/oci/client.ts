/**
 * A small client of the OCI distribution API (https://github.com/opencontainers/distribution-spec),
 * over the runtime's `fetch`: what publishing and vendoring packs need, no more. Blobs (check,
 * monolithic upload, cross-repository mount, download checked against its digest), manifests
 * (put, get by tag or digest), tags (following `Link` pagination) and the catalog.
 *
 * Auth as Docker and ORAS do it: a request goes out anonymously (or with the token already won
 * for its scope); a 401 names the scheme. `Basic`: the credentials on every request from then on.
 * `Bearer realm=…,service=…,scope=…`: a token from the realm (with the credentials, or none for an
 * anonymous pull token), cached per scope. Retries with backoff on 429, 5xx and dropped
 * connections; at most `concurrency` requests at once. Secrets never appear in a message.
 *
 * Quirks of CNCF distribution 2.8 handled here (../../../../shared/OCI.md has the measurements):
 * an upload `Location` that already holds a query (`&digest=`, not `?digest=`); manifests served
 * only to a matching `Accept`.
 */
import { readFile } from 'node:fs/promises';
import { ProvisioningError } from '../../errors.ts';
import { SHA256_DIGEST } from '../ref.ts';
import { sha256Hex } from '../../formats/integrity.ts';
import { type Credentials, credentialsFor, dockerConfigFile } from './credentials.ts';
import { type FetchLike, nodeFetch } from './transport.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const ACCEPT_MANIFESTS = `${OCI_MANIFEST}, application/vnd.oci.image.index.v1+json;q=0.5, application/vnd.docker.distribution.manifest.v2+json;q=0.4`;

export interface OciClientOptions {
  /** `host[:port]`. Required. */
  host: string;
  /** Plain HTTP instead of HTTPS. Default false. */
  plainHttp?: boolean;
  /** PEM file of extra CA certificates. Default: the system's. */
  caFile?: string | undefined;
  /** Attempts after the first, on 429, 5xx and dropped connections. Default 3. */
  retries?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Environment for credentials (DOCKER_CONFIG, HOME). Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface FetchedManifest {
  bytes: Buffer;
  /** `sha256:…` of the bytes, checked against the registry's and the reference's when it is one. */
  digest: string;
  mediaType: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `sha256:<hex>` of some bytes: an OCI digest. */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}

/** `Bearer realm="…",service="…",scope="…"` → its scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).trim().toLowerCase();
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(header.slice(space + 1)); m; m = re.exec(header.slice(space + 1))) params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme, params };
}

/**
 * The TLS-aware transport: under Deno its own fetch (with a client trusting `caFile` too); under
 * Node fetch's shape over node:http (transport.ts), trusting `caFile` besides Node's own roots
 * and NODE_EXTRA_CA_CERTS.
 */
async function makeFetch(caFile: string | undefined): Promise<FetchLike> {
  const deno = (globalThis as { Deno?: { createHttpClient(o: { caCerts: string[] }): unknown } }).Deno;
  if (caFile === undefined) return deno ? (globalThis.fetch as FetchLike) : nodeFetch();
  let ca: string;
  try {
    ca = await readFile(caFile, 'utf8');
  } catch (error) {
    throw new ProvisioningError('CONFIG_INVALID', `Cannot read [distribution.oci] ca_file "${caFile}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      file: caFile,
    });
  }
  if (deno) {
    const client = deno.createHttpClient({ caCerts: [ca] });
    return (input, init) => globalThis.fetch(input, { ...init, client } as RequestInit);
  }
  // A `ca` replaces Node's trust store: NODE_EXTRA_CA_CERTS goes in too (transport.ts adds the bundled roots).
  const extra = process.env.NODE_EXTRA_CA_CERTS ? await readFile(process.env.NODE_EXTRA_CA_CERTS, 'utf8').catch(() => undefined) : undefined;
  return nodeFetch({ ca: [...(extra ? [extra] : []), ca] });
}

/** A counting semaphore: at most `limit` holders. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** `repository:<name>:pull` or `…:pull,push`: the token scope this request needs. */
  scope: string;
  /** Statuses that are answers, not errors (404 for "not there"). Default: 2xx only. */
  ok?: readonly number[];
  /** Follow redirects (blob downloads go to storage elsewhere). Default true. */
  follow?: boolean;
  /** Safe to send again on a 5xx or a dropped connection. Default: GET and HEAD only. */
  idempotent?: boolean;
}

/** A failure worth starting an operation over for (a 5xx, 429, a dropped connection). */
export function isTransient(error: unknown): boolean {
  return (error as { transient?: unknown })?.transient === true;
}

function markTransient<E extends Error>(error: E): E {
  return Object.assign(error, { transient: true });
}

export class OciClient {
  readonly host: string;
  readonly base: string;
  private readonly retries: number;
  private readonly limiter: Limiter;
  private readonly env: Record<string, string | undefined>;
  private fetcher: Promise<FetchLike>;
  private credentials: Promise<Credentials | undefined> | undefined;
  private basic = false;
  private readonly tokens = new Map<string, Promise<string>>();

  constructor({ host, plainHttp = false, caFile, retries = 3, concurrency = 8, env = process.env }: OciClientOptions) {
    this.host = host;
    this.base = `${plainHttp ? 'http' : 'https'}://${host}`;
    this.retries = retries;
    this.limiter = new Limiter(concurrency);
    this.env = env;
    this.fetcher = makeFetch(caFile);
    // An unread config is a rejected promise nobody awaited yet: keep it quiet until it is used.
    this.fetcher.catch(() => {});
  }

  /** Spoken to in plain HTTP. */
  get plainHttp(): boolean {
    return this.base.startsWith('http:');
  }

  private creds(): Promise<Credentials | undefined> {
    return (this.credentials ??= credentialsFor(this.host, { env: this.env }));
  }

  /** One request, with retries, auth and redirects; resolves with the final response. */
  async request(path: string, options: RequestOptions): Promise<Response> {
    return this.limiter.run(() => this.send(path.startsWith('http') ? path : `${this.base}${path}`, options));
  }

  private async authHeader(scope: string): Promise<string | undefined> {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${await token}`;
    if (this.basic) {
      const c = await this.creds();
      if (c?.username !== undefined) return basicAuth(c.username, c.password);
    }
    return undefined;
  }

  private async send(start: string, options: RequestOptions): Promise<Response> {
    const fetchFn = await this.fetcher;
    const method = options.method ?? 'GET';
    const retryable = options.idempotent ?? (method === 'GET' || method === 'HEAD');
    let url = start;
    let challenged = false;
    for (let hops = 0;;) {
      this.assertNoDowngrade(url);
      // The registry's credentials go to the registry's own origin only (scheme, host and port).
      const sameHost = new URL(url).origin === new URL(this.base).origin;
      const auth = sameHost ? await this.authHeader(options.scope) : undefined;
      const headers: Record<string, string> = { ...options.headers, ...(auth ? { authorization: auth } : {}) };
      const response = await this.attempt(fetchFn, url, { method, headers, ...(options.body !== undefined ? { body: options.body } : {}), redirect: 'manual' }, retryable);
      if (response.status === 401 && sameHost && !challenged) {
        challenged = true;
        await response.body?.cancel();
        await this.answerChallenge(response.headers.get('www-authenticate') ?? '', options.scope);
        continue;
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location') && options.follow !== false && method === 'GET') {
        await response.body?.cancel();
        if (++hops > 5) throw new ProvisioningError('REGISTRY_ERROR', `Cannot fetch ${start}: more than 5 redirects`);
        // Across hosts the registry's credentials stay behind (a storage URL carries its own signature).
        url = new URL(response.headers.get('location')!, url).href;
        continue;
      }
      if (response.ok || options.ok?.includes(response.status) || (response.status >= 300 && response.status < 400 && method === 'GET' && options.follow === false)) {
        return response;
      }
      const error = await this.failure(response, method, url);
      throw response.status === 429 || response.status >= 500 ? markTransient(error) : error;
    }
  }

  /** A registry reached over https never hands us on to plain http (a proxy's upload Location, a redirect). */
  private assertNoDowngrade(url: string): void {
    if (this.base.startsWith('https:') && url.startsWith('http:')) {
      throw new ProvisioningError('REGISTRY_ERROR', `Cannot follow ${this.host} to ${new URL(url).origin}: it hands an https connection on to plain http`, {
        hint: 'the registry (or a proxy in front of it) answers with http:// addresses; fix its external URL, or use --plain-http if it really is plain HTTP',
      });
    }
  }

  /**
   * fetch with retries: dropped connections, 429 and 5xx are tried again with backoff, for a
   * request safe to send again (`retryable`); the others fail at once, marked transient, and the
   * caller starts its operation over (an upload gets a new session).
   */
  private async attempt(fetchFn: FetchLike, url: string, init: RequestInit & Record<string, unknown>, retryable = true): Promise<Response> {
    for (let attempt = 0;; attempt++) {
      let response: Response;
      try {
        response = await fetchFn(url, init);
      } catch (error) {
        if (retryable && attempt < this.retries && transient(error)) {
          await sleep(200 * 2 ** attempt + Math.random() * 100);
          continue;
        }
        const coded = unreachable(url, error, this.base);
        throw transient(error) ? markTransient(coded) : coded;
      }
      if (retryable && attempt < this.retries && (response.status === 429 || response.status >= 500)) {
        const after = Number(response.headers.get('retry-after'));
        await response.body?.cancel();
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 5000) : 200 * 2 ** attempt + Math.random() * 100);
        continue;
      }
      return response;
    }
  }

  private async answerChallenge(header: string, scope: string): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    const creds = await this.creds();
    if (scheme === 'basic') {
      if (creds?.username === undefined) throw this.authError('it asks for a login (Basic), and none is configured', creds);
      this.basic = true;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) {
      throw new ProvisioningError(
        'REGISTRY_ERROR',
        `Cannot talk to ${this.base}: it answers 401 with an authentication scheme this tool does not speak (${header.split(' ')[0] || 'none'})`,
      );
    }
    const wanted = params.scope && params.scope.split(' ').includes(scope) ? params.scope : scope;
    const token = this.fetchToken(params.realm, params.service, wanted, creds);
    this.tokens.set(scope, token);
    token.catch(() => this.tokens.delete(scope));
    await token;
  }

  private async fetchToken(realm: string, service: string | undefined, scope: string, creds: Credentials | undefined): Promise<string> {
    const fetchFn = await this.fetcher;
    let response: Response;
    if (creds?.refreshToken !== undefined) {
      // OAuth2 refresh token (Docker's identitytoken): POST, as the token spec says.
      const body = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.refreshToken,
        client_id: 'provider-distribution',
        scope,
        ...(service ? { service } : {}),
      });
      response = await this.attempt(fetchFn, realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = creds?.username !== undefined ? { authorization: basicAuth(creds.username, creds.password) } : {};
      response = await this.attempt(fetchFn, url.href, { method: 'GET', headers });
    }
    // 400 is how OAuth2 refuses a refresh token (`invalid_grant`): expired or revoked.
    if (response.status === 401 || response.status === 403 || (response.status === 400 && creds?.refreshToken !== undefined)) {
      await response.body?.cancel();
      throw this.authError(
        `its token service ${new URL(realm).origin} refused ${
          creds?.refreshToken !== undefined ? 'the identity token' : creds ? 'the configured credentials' : 'an anonymous token'
        } for ${scope}`,
        creds,
      );
    }
    if (!response.ok) throw await this.failure(response, creds?.refreshToken !== undefined ? 'POST' : 'GET', realm);
    const data = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = data.token ?? data.access_token;
    if (!token) throw new ProvisioningError('REGISTRY_ERROR', `Cannot log in to ${this.base}: its token service answered no token`);
    return token;
  }

  private authError(reason: string, creds: Credentials | undefined): ProvisioningError {
    const file = dockerConfigFile(this.env);
    return new ProvisioningError('REGISTRY_AUTH', `Cannot log in to ${this.host}: ${reason}`, {
      hint: creds ? `check the credentials for ${this.host} (from ${creds.from})` : `log in first (docker login ${this.host}, or helm/oras registry login), which writes ${file}`,
    });
  }

  /** A response that is an error: REGISTRY_AUTH for 401/403, REGISTRY_ERROR naming the status and the registry's own code. */
  private async failure(response: Response, method: string, url: string): Promise<ProvisioningError> {
    const type = response.headers.get('content-type') ?? '';
    const text = await response.text().catch(() => '');
    let codes = '';
    try {
      const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      codes = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } catch {
      if (/html/i.test(type) || /^\s*</.test(text)) codes = `answered ${type || 'HTML'}, not the OCI distribution API: is this the registry's address?`;
    }
    const what = `${method} ${new URL(url).pathname}: HTTP ${response.status}${codes ? ` (${codes})` : ''}`;
    if (response.status === 401 || response.status === 403) {
      const creds = await this.creds().catch(() => undefined);
      return new ProvisioningError('REGISTRY_AUTH', `Cannot ${method === 'GET' || method === 'HEAD' ? 'read from' : 'write to'} ${this.host}: ${what}`, {
        hint: creds
          ? `the credentials for ${this.host} (from ${creds.from}) lack the rights for this`
          : `log in first (docker login ${this.host}), which writes ${dockerConfigFile(this.env)}`,
      });
    }
    return new ProvisioningError('REGISTRY_ERROR', `Cannot talk to ${this.host}: ${what}`);
  }

  // --- the API ---

  /** True when the repository has the blob. */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const response = await this.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', scope: `repository:${repo}:pull`, ok: [404] });
    await response.body?.cancel();
    return response.status !== 404;
  }

  /**
   * Uploads `bytes` as a blob (monolithic: POST for a location, PUT with the digest), unless it is
   * there already; mounted from `mountFrom` (another repository of the namespace) when it has it.
   * Returns what happened.
   */
  async pushBlob(repo: string, bytes: Uint8Array, options: { mountFrom?: string | undefined } = {}): Promise<'exists' | 'mounted' | 'uploaded'> {
    // An upload session is used up by its PUT: after a 5xx or a dropped connection the whole
    // upload starts over (HEAD first: the blob may have landed after all).
    for (let attempt = 0;; attempt++) {
      try {
        return await this.pushBlobOnce(repo, bytes, options);
      } catch (error) {
        if (attempt >= this.retries || !isTransient(error)) throw error;
        await sleep(200 * 2 ** attempt + Math.random() * 100);
      }
    }
  }

  private async pushBlobOnce(repo: string, bytes: Uint8Array, { mountFrom }: { mountFrom?: string | undefined }): Promise<'exists' | 'mounted' | 'uploaded'> {
    const digest = digestOf(bytes);
    if (await this.hasBlob(repo, digest)) return 'exists';
    const scope = `repository:${repo}:pull,push`;
    const query = mountFrom ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}` : '';
    const started = await this.request(`/v2/${repo}/blobs/uploads/${query}`, { method: 'POST', scope, headers: { 'content-length': '0' }, follow: false });
    await started.body?.cancel();
    if (started.status === 201) return 'mounted';
    const location = started.headers.get('location');
    if (started.status !== 202 || !location) {
      throw new ProvisioningError('REGISTRY_ERROR', `Cannot upload to ${this.host}/${repo}: the upload was not started (HTTP ${started.status}, no Location)`);
    }
    const target = new URL(location, this.base);
    this.assertNoDowngrade(target.href);
    target.searchParams.set('digest', digest);
    const done = await this.request(target.href, {
      method: 'PUT',
      scope,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
      body: bytes,
      follow: false,
    });
    await done.body?.cancel();
    return 'uploaded';
  }

  /** The blob's bytes, checked against its descriptor's digest and size (INTEGRITY_MISMATCH otherwise). */
  async getBlob(repo: string, descriptor: Pick<Descriptor, 'digest' | 'size'>, maxBytes = 256 * 1024 * 1024): Promise<Buffer> {
    if (!SHA256_DIGEST.test(descriptor.digest)) {
      throw new ProvisioningError('REGISTRY_ERROR', `Cannot fetch a blob of ${this.host}/${repo}: ${JSON.stringify(descriptor.digest)} is not a sha256 digest`);
    }
    if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0 || descriptor.size > maxBytes) {
      throw new ProvisioningError(
        'REGISTRY_ERROR',
        `Cannot fetch ${descriptor.digest} of ${this.host}/${repo}: its size ${descriptor.size} is not one this tool accepts (at most ${maxBytes})`,
      );
    }
    let bytes: Buffer;
    for (let attempt = 0;; attempt++) {
      try {
        const response = await this.request(`/v2/${repo}/blobs/${descriptor.digest}`, { scope: `repository:${repo}:pull` });
        bytes = await readLimited(response, descriptor.size, `${this.host}/${repo}@${descriptor.digest}`);
        break;
      } catch (error) {
        // A connection broken mid-download: fetched again (the digest check below makes it safe).
        if (attempt >= this.retries || !isTransient(error)) throw error;
        await sleep(200 * 2 ** attempt + Math.random() * 100);
      }
    }
    const actual = digestOf(bytes);
    if (bytes.length !== descriptor.size || actual !== descriptor.digest) {
      throw new ProvisioningError(
        'INTEGRITY_MISMATCH',
        `Cannot trust blob ${descriptor.digest} of ${this.host}/${repo}: it is ${actual} (${bytes.length} bytes), its descriptor says ${descriptor.digest} (${descriptor.size} bytes)`,
        {
          hint: 'the registry holds altered data; nothing was changed',
        },
      );
    }
    return bytes;
  }

  /** PUTs a manifest under `reference` (a tag or its digest); returns the digest. */
  async putManifest(repo: string, reference: string, bytes: Uint8Array, mediaType = OCI_MANIFEST): Promise<string> {
    const response = await this.request(`/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      scope: `repository:${repo}:pull,push`,
      headers: { 'content-type': mediaType },
      body: bytes,
      follow: false,
      idempotent: true,
    });
    await response.body?.cancel();
    return digestOf(bytes);
  }

  /**
   * The manifest `reference` (tag or digest) names, or undefined when there is none. Its bytes are
   * checked against the digest asked for (a digest reference) and against the registry's
   * `Docker-Content-Digest` (a tag).
   */
  async getManifest(repo: string, reference: string): Promise<FetchedManifest | undefined> {
    const response = await this.request(`/v2/${repo}/manifests/${reference}`, { scope: `repository:${repo}:pull`, headers: { accept: ACCEPT_MANIFESTS }, ok: [404] });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    const bytes = await readLimited(response, 4 * 1024 * 1024, `${this.host}/${repo}:${reference}`);
    const digest = digestOf(bytes);
    const claimed = response.headers.get('docker-content-digest');
    if ((SHA256_DIGEST.test(reference) && digest !== reference) || (claimed && SHA256_DIGEST.test(claimed) && claimed !== digest)) {
      throw new ProvisioningError(
        'INTEGRITY_MISMATCH',
        `Cannot trust manifest ${reference} of ${this.host}/${repo}: its bytes are ${digest}, the registry says ${SHA256_DIGEST.test(reference) ? reference : claimed}`,
      );
    }
    return { bytes, digest, mediaType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim() };
  }

  /** Every tag of the repository, following `Link` pages; [] when the repository does not exist. */
  async listTags(repo: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list?n=1000`;
    for (let pages = 0; next && pages < 1000; pages++) {
      const response: Response = await this.request(next, { scope: `repository:${repo}:pull`, ok: [404] });
      if (response.status === 404) {
        await response.body?.cancel();
        return [];
      }
      const data = (await readJson(response, `${this.host}/${repo} tags`)) as { tags?: unknown };
      if (Array.isArray(data.tags)) tags.push(...data.tags.filter((t): t is string => typeof t === 'string'));
      next = nextLink(response.headers.get('link'));
    }
    return [...new Set(tags)];
  }

  /** The registry's catalog (every repository), following pages; undefined where it is not offered (403/404/401). */
  async catalog(): Promise<string[] | undefined> {
    const repos: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=1000';
    for (let pages = 0; next && pages < 1000; pages++) {
      let response: Response;
      try {
        response = await this.request(next, { scope: 'registry:catalog:*', ok: [404, 403] });
      } catch (error) {
        // Registries that restrict the catalog answer 401 to it, even with a good login.
        if (error instanceof ProvisioningError && error.code === 'REGISTRY_AUTH') return undefined;
        throw error;
      }
      if (response.status === 404 || response.status === 403) {
        await response.body?.cancel();
        return undefined;
      }
      const data = (await readJson(response, `${this.host} catalog`)) as { repositories?: unknown };
      if (Array.isArray(data.repositories)) repos.push(...data.repositories.filter((r): r is string => typeof r === 'string'));
      next = nextLink(response.headers.get('link'));
    }
    return repos;
  }
}

/** `<…/v2/x/tags/list?last=b&n=2>; rel="next"` → the path. */
function nextLink(header: string | null): string | undefined {
  const m = header ? /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header) : null;
  return m?.[1];
}

async function readLimited(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      let chunk: { done: boolean; value?: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (error) {
        throw markTransient(
          new ProvisioningError('REGISTRY_ERROR', `Cannot read ${what}: the connection broke mid-answer (${causeCode(error) ?? (error as Error).message})`, { cause: error }),
        );
      }
      const { done, value } = chunk;
      if (done || !value) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new ProvisioningError('INTEGRITY_MISMATCH', `Cannot trust ${what}: it sends more than the ${maxBytes} bytes expected`);
      }
      parts.push(value);
    }
  }
  return Buffer.concat(parts);
}

async function readJson(response: Response, what: string): Promise<Record<string, unknown>> {
  const bytes = await readLimited(response, 16 * 1024 * 1024, what);
  try {
    const data = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not a JSON object');
    return data as Record<string, unknown>;
  } catch (error) {
    throw new ProvisioningError('REGISTRY_ERROR', `Cannot read ${what}: ${(error as Error).message}; is this an OCI registry?`);
  }
}

function causeCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string; cause?: { code?: string } } };
  return e?.cause?.code ?? e?.cause?.cause?.code ?? e?.code;
}

/** A certificate the runtime refused: trying again changes nothing. */
function tlsFailure(error: unknown): boolean {
  return /CERT|SSL|TLS|self.signed|UNABLE_TO_VERIFY|certificate/i.test(`${causeCode(error)} ${(error as Error)?.message} ${(error as { cause?: Error })?.cause?.message}`);
}

/**
 * A connection that broke (reset, refused for a moment, timed out, closed mid-answer): worth
 * another try. Node names the cause's code; Deno's fetch says only "network error" (a TypeError,
 * as the fetch standard has it), so any fetch failure but a refused certificate counts.
 */
function transient(error: unknown): boolean {
  if (['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'EAI_AGAIN'].includes(causeCode(error) ?? '')) return true;
  return error instanceof TypeError && !tlsFailure(error);
}

/**
 * A TLS handshake the server answered in plain HTTP: Node (OpenSSL) says
 * ERR_SSL_WRONG_VERSION_NUMBER ("wrong version number"); Deno (rustls) reads the HTTP answer as
 * a record "of type InvalidContentType" ("received corrupt message").
 */
function plainHttpAnswer(error: unknown): boolean {
  return /WRONG_VERSION_NUMBER|wrong version number|InvalidContentType|corrupt message/i.test(
    `${causeCode(error)} ${(error as Error)?.message} ${(error as { cause?: Error })?.cause?.message}`,
  );
}

function unreachable(url: string, error: unknown, base: string): ProvisioningError {
  const code = causeCode(error);
  const plain = base.startsWith('http:');
  if (!plain && plainHttpAnswer(error)) {
    return new ProvisioningError('REGISTRY_ERROR', `Cannot reach ${new URL(url).host} over HTTPS: it answers in plain HTTP (${code ?? 'no TLS handshake'})`, {
      hint: 'if it really is a plain-HTTP registry, pass --plain-http (or set [distribution.oci] plain_http = true); otherwise check the port',
      cause: error,
    });
  }
  const tls = tlsFailure(error);
  return new ProvisioningError('REGISTRY_ERROR', `Cannot reach ${new URL(url).host}: ${code ?? (error as Error)?.message ?? String(error)}`, {
    hint: tls
      ? 'its TLS certificate is not trusted: set [distribution.oci] ca_file to the CA bundle (or plain_http = true for a plain-HTTP registry on loopback)'
      : plain
      ? 'check the host and port, and that the registry is up'
      : 'check the host and port, and that the registry is up (a registry that speaks plain HTTP needs --plain-http or [distribution.oci] plain_http = true)',
    cause: error,
  });
}

/** An `Authorization: Basic …` value. */
function basicAuth(username: string, password: string | undefined): string {
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
}
