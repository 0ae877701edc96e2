/**
 * Registry credentials, read where Docker, Helm and ORAS read them: `$DOCKER_CONFIG/config.json`,
 * else `~/.docker/config.json`. For a host: `credHelpers[host]`, else `auths[host]` (`auth` is
 * base64 `user:password`, or `identitytoken`), else the `credsStore` helper; a helper is the
 * program `docker-credential-<name>`, asked with `get` and the host on stdin. No file, or no
 * entry, means anonymous: a registry that needs no login works without one.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { ProvisioningError } from '../../errors.ts';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`, or a helper answering username `<token>`). */
  refreshToken?: string;
  /** Where they came from, for messages (never the secret itself). */
  from: string;
}

export interface CredentialOptions {
  /** Environment (DOCKER_CONFIG, HOME). Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** The Docker config file this environment uses. */
export function dockerConfigFile(env: Record<string, string | undefined> = process.env): string {
  return path.join(env.DOCKER_CONFIG || path.join(env.HOME || homedir(), '.docker'), 'config.json');
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** `https://index.docker.io/v1/`, `host:5000/`, `HOST` → `host:5000` / `host`: how auths keys are matched. */
function hostKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

async function readDockerConfig(file: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProvisioningError('REGISTRY_AUTH', `Cannot read Docker's config "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file });
  }
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not a JSON object');
    return data as DockerConfig;
  } catch (error) {
    throw new ProvisioningError('REGISTRY_AUTH', `Cannot read Docker's config "${file}": ${(error as Error).message}`, {
      file,
      hint: 'fix the file, or move it away to use the registry anonymously',
    });
  }
}

/** Runs `docker-credential-<helper> get` for `host`; undefined when it knows none. */
async function fromHelper(helper: string, host: string, file: string): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    child.stdin.on('error', () => {});
    child.stdin.end(host);
  }).catch((error: NodeJS.ErrnoException) => {
    throw new ProvisioningError('REGISTRY_AUTH', `Cannot run ${program} for ${host} (named in ${file}): ${error.code ?? error.message}`, {
      file,
      hint: `install ${program}, or remove it from ${file} (credHelpers / credsStore)`,
    });
  });
  if (code !== 0) {
    // Helpers answer "credentials not found" when they have nothing for the host: anonymous, then.
    if (/not found/i.test(stdout + stderr)) return undefined;
    throw new ProvisioningError('REGISTRY_AUTH', `Cannot get credentials for ${host} from ${program}: it exited ${code}`, {
      file,
      hint: (stderr || stdout).trim().split('\n')[0] || `check ${program}`,
    });
  }
  let data: { Username?: string; Secret?: string };
  try {
    data = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new ProvisioningError('REGISTRY_AUTH', `Cannot read the answer of ${program} for ${host}: not JSON`, { file });
  }
  const from = `${program} (${file})`;
  if (data.Username === '<token>') return { refreshToken: data.Secret ?? '', from };
  return { username: data.Username ?? '', password: data.Secret ?? '', from };
}

/** The credentials configured for `host` (`host:port` as in the registry reference), or undefined (anonymous). */
export async function credentialsFor(host: string, { env = process.env }: CredentialOptions = {}): Promise<Credentials | undefined> {
  const file = dockerConfigFile(env);
  const config = await readDockerConfig(file);
  if (!config) return undefined;
  const key = host.toLowerCase();
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => hostKey(k) === key)?.[1];
  if (helper) return fromHelper(helper, host, file);
  const entry = Object.entries(config.auths ?? {}).find(([k]) => hostKey(k) === key)?.[1];
  if (entry?.identitytoken) return { refreshToken: entry.identitytoken, from: file };
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new ProvisioningError('REGISTRY_AUTH', `Cannot use the credentials for ${host} in ${file}: "auth" is not base64 of user:password`, { file });
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: file };
  }
  if (entry?.username !== undefined) return { username: entry.username, password: entry.password ?? '', from: file };
  if (config.credsStore) return fromHelper(config.credsStore, host, file);
  return undefined;
}
