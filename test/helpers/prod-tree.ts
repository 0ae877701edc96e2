/**
 * Production test trees: a temp copy of the example tree (aws 0.2.0, infra wuji), packing
 * through the library path the tasks use, keys, a loopback HTTP registry.
 */
import { createReadStream } from 'node:fs';
import { appendFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/types.ts';
import { packSigner } from '../../lib/registry/sign-pack.ts';
import { writeKeyPair, type WrittenKeyPair } from '../../lib/sign/keys.ts';
import { listenLoopback } from './loopback.ts';
import { exampleTree, type Tree } from './testdir.ts';
import { packOne } from './pack-tree.ts';

export { codeOf } from './pack-tree.ts';

export interface ProdTree {
  root: string;
  wuji: string;
  toml: string;
  yaml: string;
  config(): Promise<Config>;
}

/** The example tree with exports off (no nickel needed) and `config` appended to config.toml. */
export async function prodTree(config = '', extra: Tree = {}): Promise<ProdTree> {
  const root = await exampleTree(extra);
  await appendFile(path.join(root, 'config/config.toml'), `\n[nickel]\nexport = "off"\n${config}`);
  const wuji = path.join(root, 'workspace/infra/wuji');
  return { root, wuji, toml: path.join(wuji, 'manifest.toml'), yaml: path.join(wuji, 'providers.manifest.yaml'), config: () => loadConfig({ root }) };
}

/** A key pair in `<root>/config/keys` and the config lines naming it. */
export async function keysFor(root: string, require = false): Promise<{ keys: WrittenKeyPair; config: string }> {
  const keys = await writeKeyPair({ dir: path.join(root, 'config/keys') });
  return {
    keys,
    config: `\n[distribution.signing]\nsecret_key = "config/keys/provisioning.key"\npublic_keys = ["config/keys/provisioning.pub"]\nrequire_signatures = ${require}\n`,
  };
}

/** Packs a provider of the tree (optionally `ver`, optionally signed with `secretKeyFile`). */
export async function pack(root: string, provider = 'aws', { ver, secretKeyFile, force }: { ver?: string; secretKeyFile?: string; force?: boolean } = {}) {
  const afterPack = secretKeyFile ? await packSigner({ secretKeyFile }) : undefined;
  return packOne(root, provider, { ...(ver ? { ver } : {}), ...(force ? { force } : {}), ...(afterPack ? { afterPack } : {}) });
}

/** A static file server on 127.0.0.1 serving `dir`, recording each request path. */
export async function serve(dir: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(rel);
    const file = path.join(dir, ...rel.split('/').filter((p) => p && p !== '..'));
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      res.writeHead(404, { connection: 'close' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': st.size, connection: 'close' });
    createReadStream(file).pipe(res);
  });
  const { host, close } = await listenLoopback(server);
  return { url: `http://${host}/`, requests, close };
}

/** Appends TOML to the tree's config/config.toml. */
export async function addConfig(root: string, text: string): Promise<void> {
  await appendFile(path.join(root, 'config/config.toml'), `\n${text}\n`);
}
