/**
 * A real OCI registry for the tests: Debian's `docker-registry` (CNCF distribution) started on
 * loopback, with its storage in a temp folder: plain HTTP, TLS with a throwaway CA (openssl),
 * htpasswd Basic auth (bcrypt from bcryptjs), or Bearer tokens from a small token server here
 * (RS256 JWTs with an x5c chain; the registry itself is the real one). And `skopeo`, an
 * independent client, to check what was pushed. When a program is missing the caller says so
 * and stops (CI installs them: .ci/run).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { listenLoopback } from './loopback.ts';
import { run } from './run.ts';
import { testdir } from './testdir.ts';

function which(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, program);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export const REGISTRY_BIN = which('docker-registry');
export const SKOPEO_BIN = which('skopeo');
export const OPENSSL_BIN = which('openssl');

/** A free loopback port (asked of the kernel, then let go). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Tls {
  dir: string;
  /** The CA's PEM (what [distribution.oci] ca_file names; skopeo's --cert-dir holds it as ca.crt). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1 and localhost. */
export async function makeTls(): Promise<Tls> {
  const dir = await testdir();
  const at = (f: string) => path.join(dir, f);
  const ssl = (...args: string[]) => execFileSync(OPENSSL_BIN!, args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=provisioning test CA', '-keyout', at('ca.key'), '-out', at('ca.crt'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', at('server.key'), '-out', at('server.csr'));
  await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', at('san.ext'), '-out', at('server.crt'));
  return { dir, caFile: at('ca.crt'), certFile: at('server.crt'), keyFile: at('server.key') };
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** The certificate the registry trusts tokens from (rootcertbundle). */
  certFile: string;
  /** Scopes asked for, in order (to see anonymous pulls and push scopes). */
  requests: { user: string | undefined; scope: string; grant?: string }[];
  close(): Promise<void>;
}

export interface TokenPolicy {
  /** user → password. */
  users: Record<string, string>;
  /** Refresh tokens (Docker's identitytoken) → the user they stand for. */
  refreshTokens?: Record<string, string>;
  /** What anonymous callers get: pull only, or nothing. Default 'pull'. */
  anonymous?: 'pull' | 'none';
  /** Users who may only pull. Default none. */
  readOnly?: string[];
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A token server as `auth.token.realm`: grants `repository:<name>:pull[,push]` by the policy. */
export async function tokenServer(policy: TokenPolicy): Promise<TokenServer> {
  const dir = await testdir();
  const key = path.join(dir, 'token.key');
  const cert = path.join(dir, 'token.crt');
  execFileSync(OPENSSL_BIN!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=provisioning test token issuer', '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  const pem = await readFile(key, 'utf8');
  const der = Buffer.from((await readFile(cert, 'utf8')).replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const service = 'provisioning-test-registry';
  const issuer = 'provisioning-test-issuer';
  const requests: TokenServer['requests'] = [];
  const sign = (user: string | undefined, scope: string) => {
    const access = scope.split(' ').filter(Boolean).map((s) => {
      const [type, name, actions] = s.split(':') as [string, string, string];
      const wanted = actions.split(',');
      const allowed = user === undefined ? (policy.anonymous === 'none' ? [] : ['pull']) : policy.readOnly?.includes(user) ? ['pull'] : ['pull', 'push'];
      return { type, name, actions: wanted.filter((a) => allowed.includes(a)) };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(pem);
    return `${header}.${claims}.${b64url(signature)}`;
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      let user: string | undefined;
      let scope = url.searchParams.get('scope') ?? '';
      if (req.method === 'POST') {
        const form = new URLSearchParams(body);
        scope = form.get('scope') ?? '';
        user = policy.refreshTokens?.[form.get('refresh_token') ?? ''];
        requests.push({ user, scope, grant: form.get('grant_type') ?? '' });
        if (user === undefined) return void res.writeHead(401, { connection: 'close' }).end();
      } else {
        const auth = req.headers.authorization;
        if (auth?.startsWith('Basic ')) {
          const [name, pass] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':') as [string, string];
          if (policy.users[name] !== pass) {
            requests.push({ user: name, scope });
            return void res.writeHead(401, { connection: 'close' }).end();
          }
          user = name;
        }
        requests.push({ user, scope });
        if (user === undefined && policy.anonymous === 'none') return void res.writeHead(401, { connection: 'close' }).end();
      }
      const token = sign(user, scope);
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
    });
  });
  const { host, close } = await listenLoopback(server);
  return { realm: `http://${host}/token`, service, issuer, certFile: cert, requests, close };
}

export interface RegistryOptions {
  tls?: Tls;
  /** user → password, as htpasswd Basic auth. */
  users?: Record<string, string>;
  token?: TokenServer;
}

export interface Registry {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** The storage root: blobs under docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data. */
  storage: string;
  /** Where a blob's bytes are kept. */
  blobFile(digest: string): string;
  stop(): Promise<void>;
}

/** Starts docker-registry; undefined when it (or openssl, for TLS or tokens) is not installed. */
export async function startRegistry({ tls, users, token }: RegistryOptions = {}): Promise<Registry | undefined> {
  if (!REGISTRY_BIN) return undefined;
  const dir = await testdir();
  const storage = path.join(dir, 'storage');
  await mkdir(storage);
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (tls) lines.push('  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`);
  if (users) {
    const file = path.join(dir, 'htpasswd');
    await writeFile(file, Object.entries(users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 4)}`).join('\n') + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: provisioning-test', `    path: ${file}`);
  } else if (token) {
    lines.push('auth:', '  token:', `    realm: ${token.realm}`, `    service: ${token.service}`, `    issuer: ${token.issuer}`, `    rootcertbundle: ${token.certFile}`);
  }
  const config = path.join(dir, 'config.yml');
  await writeFile(config, lines.join('\n') + '\n');
  // Its log goes to a file, not a pipe: a pipe nobody reads (a caller blocked in spawnSync) fills
  // up and stops the registry mid-request.
  const logFile = path.join(dir, 'registry.log');
  const log = openSync(logFile, 'w');
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  const deadline = Date.now() + 15000;
  for (;;) {
    const output = await readFile(logFile, 'utf8').catch(() => '');
    if (/listening on/.test(output)) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start (exit ${child.exitCode}):\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    host: `127.0.0.1:${port}`,
    storage,
    blobFile: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return path.join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface SkopeoOptions {
  tls?: Tls;
  creds?: string;
}

function skopeoArgs({ tls, creds }: SkopeoOptions): { flags: string[]; before: () => Promise<string[]> } {
  return {
    flags: [...(creds ? ['--creds', creds] : [])],
    before: async () => {
      if (!tls) return ['--tls-verify=false'];
      const certs = await testdir();
      await writeFile(path.join(certs, 'ca.crt'), await readFile(tls.caFile));
      return ['--cert-dir', certs];
    },
  };
}

/** `skopeo inspect --raw docker://…`: the manifest bytes, as an independent client reads them. */
export async function skopeoManifest(host: string, reference: string, options: SkopeoOptions = {}): Promise<string> {
  const { flags, before } = skopeoArgs(options);
  const r = await run(SKOPEO_BIN!, ['inspect', '--raw', ...(await before()), ...flags, `docker://${host}/${reference}`]);
  if (r.code !== 0) throw new Error(`skopeo inspect failed: ${r.stderr}`);
  return r.stdout;
}

/** `skopeo copy docker://… dir:OUT`: every blob written under its digest's hex. */
export async function skopeoCopy(host: string, reference: string, out: string, options: SkopeoOptions = {}): Promise<void> {
  const { flags, before } = skopeoArgs(options);
  const tlsFlags = (await before()).map((f) => f.replace(/^--(tls-verify|cert-dir)/, '--src-$1'));
  const r = await run(SKOPEO_BIN!, ['copy', ...tlsFlags, ...flags.map((f) => f.replace('--creds', '--src-creds')), `docker://${host}/${reference}`, `dir:${out}`]);
  if (r.code !== 0) throw new Error(`skopeo copy failed: ${r.stderr}`);
}

/** What a {@link proxyRegistry} answers in the registry's place, or undefined to pass the request on. */
export type Intercept = (req: { method: string; path: string }) => { status: number; body?: string } | undefined;

/**
 * A loopback HTTP proxy in front of a real registry that answers some requests itself: for what
 * real registries do and distribution on one disk does not (ECR refusing a push to a repository
 * nobody created, an S3-backed registry answering 404 for a tag just written).
 */
export async function proxyRegistry(target: Registry, intercept: Intercept): Promise<{ host: string; close(): Promise<void> }> {
  const { request } = await import('node:http');
  const server = createServer((req, res) => {
    const answer = intercept({ method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://x').pathname });
    if (answer) {
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', connection: 'close' }).end(answer.body ?? '');
      return;
    }
    const [host, port] = target.host.split(':');
    const upstream = request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      // Upload Locations name the registry: point them back at the proxy.
      const headers = { ...answer.headers };
      if (typeof headers.location === 'string') headers.location = headers.location.replace(`//${target.host}`, `//${req.headers.host}`);
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return listenLoopback(server);
}
