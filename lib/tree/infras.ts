import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { suggestion } from '../did-you-mean.ts';
import { type Problem, ProvisioningError } from '../errors.ts';
import { scanFolders, symlinkedFolder } from './folders.ts';
import { rootRelative } from './layout.ts';
import { assertName } from '../names.ts';

export interface Infra {
  name: string;
  dir: string;
  /** `<infra>/manifest.toml`. */
  manifestFile: string;
  /** `<infra>/providers.manifest.yaml`. */
  recordFile: string;
}

function infraAt(config: Config, name: string): Infra {
  const dir = path.join(config.paths.infra, name);
  return { name, dir, manifestFile: path.join(dir, 'manifest.toml'), recordFile: path.join(dir, 'providers.manifest.yaml') };
}

/** Every infra folder under `paths.infra`, by name, and the folders that are not one (see folders.ts). */
export async function scanInfras(config: Config): Promise<{ infras: Infra[]; problems: Problem[]; others: Infra[] }> {
  const { names, problems, others } = await scanFolders(config.paths.infra, 'infra', (p) => rootRelative(config, p));
  return { infras: names.map((name) => infraAt(config, name)), problems, others: others.map((dir) => infraAt(config, path.basename(dir))) };
}

/** Every infra folder under `paths.infra`, sorted by name. */
export async function listInfras(config: Config): Promise<Infra[]> {
  return (await scanInfras(config)).infras;
}

/**
 * One infra by name: `INFRA_NOT_FOUND` with "did you mean" when its folder is absent,
 * `LINK_CONFLICT` when it is a symlink (an edit through it would land in another tree).
 */
export async function findInfra(config: Config, name: unknown): Promise<Infra> {
  const valid = assertName('infra', name);
  const infra = infraAt(config, valid);
  const st = await lstat(infra.dir).catch(() => undefined);
  if (st?.isSymbolicLink()) throw symlinkedFolder('infra', infra.dir, rootRelative(config, infra.dir));
  if (!st?.isDirectory()) {
    const known = (await listInfras(config)).map((i) => i.name);
    throw new ProvisioningError('INFRA_NOT_FOUND', `Cannot find infra "${valid}" in ${config.paths.infra}`, {
      hint: suggestion(valid, known, 'infra'),
    });
  }
  return infra;
}
