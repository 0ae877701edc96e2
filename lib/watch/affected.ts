import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../config/types.ts';
import { listInfras } from '../tree/infras.ts';
import { moduleName, NAME_PATTERN } from '../names.ts';
import { leavesFolder } from '../fs/inside.ts';

/** What one changed path means: a provider's files, or one infra's manifests, or nothing of ours. */
export type Change = { provider: string } | { infra: string } | undefined;

/** The two files of an infra a watcher cares about. */
export const INFRA_FILES = new Set(['manifest.toml', 'providers.manifest.yaml']);

/** Classifies an absolute path that changed under `paths.providers` or `paths.infra`. */
export function classify(config: Config, file: string): Change {
  const inProviders = path.relative(config.paths.providers, file);
  if (!leavesFolder(inProviders)) {
    const [name] = inProviders.split(path.sep);
    return name && NAME_PATTERN.test(name) ? { provider: name } : undefined;
  }
  const inInfra = path.relative(config.paths.infra, file);
  if (!leavesFolder(inInfra)) {
    const parts = inInfra.split(path.sep);
    // `<infra>` itself (a folder appeared or went) or `<infra>/manifest.toml|providers.manifest.yaml`.
    if (parts[0] && NAME_PATTERN.test(parts[0]) && (parts.length === 1 || (parts.length === 2 && INFRA_FILES.has(parts[1]!)))) {
      return { infra: parts[0] };
    }
  }
  return undefined;
}

async function recordedProviders(recordFile: string): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  try {
    const doc = parseYaml(await readFile(recordFile, 'utf8')) as { providers?: Record<string, { mode?: unknown } | null> } | null;
    for (const [name, entry] of Object.entries(doc?.providers ?? {})) out.set(name, typeof entry?.mode === 'string' ? entry.mode : undefined);
  } catch {
    // A missing or broken record is validate's to report; here it only means "no entries known".
  }
  return out;
}

async function hasLink(file: string): Promise<boolean> {
  return lstat(file).then((st) => st.isSymbolicLink(), () => false);
}

/**
 * The infras whose validation a change to `provider` can alter: those recording it in
 * `providers.manifest.yaml`, or holding its link, in link mode. A vendored copy does not follow
 * the provider's sources, so a vendor-mode entry does not count.
 */
export async function infrasUsing(config: Config, provider: string, only?: string): Promise<string[]> {
  const infras = (await listInfras(config)).filter((i) => only === undefined || i.name === only);
  const using = await Promise.all(
    infras.map(async (infra) => {
      const recorded = await recordedProviders(infra.recordFile);
      if (recorded.has(provider)) return recorded.get(provider) !== 'vendor';
      const links = [config.nickel.modulesDir, config.kcl.modulesDir].map((dir) => path.join(infra.dir, dir, moduleName(provider)));
      return (await Promise.all(links.map(hasLink))).some(Boolean);
    }),
  );
  return infras.filter((_, i) => using[i]).map((i) => i.name);
}
