import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/types.ts';
import { suggestion } from '../did-you-mean.ts';
import { ProvisioningError } from '../errors.ts';
import { assertName, NAME_PATTERN } from '../names.ts';

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

/** Every infra folder under `paths.infra`, sorted by name. */
export async function listInfras(config: Config): Promise<Infra[]> {
  const entries = await readdir(config.paths.infra, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && NAME_PATTERN.test(e.name))
    .map((e) => infraAt(config, e.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One infra by name; `INFRA_NOT_FOUND` with "did you mean" when its folder is absent. */
export async function findInfra(config: Config, name: unknown): Promise<Infra> {
  const valid = assertName('infra', name);
  const infra = infraAt(config, valid);
  if (!existsSync(infra.dir) || !statSync(infra.dir).isDirectory()) {
    const known = (await listInfras(config)).map((i) => i.name);
    throw new ProvisioningError('INFRA_NOT_FOUND', `Cannot find infra "${valid}" in ${config.paths.infra}`, {
      hint: suggestion(valid, known, 'infra'),
    });
  }
  return infra;
}
