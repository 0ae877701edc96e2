/**
 * `<registry>/index.json` (lib/formats/registry-index.ts), rebuilt from the registry's metadata
 * files on each publish, so it also lists what earlier publishes put there.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic.ts';
import { readMetadata } from '../formats/metadata.ts';
import { formatIndex, INDEX_FORMAT, indexModule, type RegistryIndex } from '../formats/registry-index.ts';
import { INDEX_FILE, METADATA_DIR, SIGNATURE_SUFFIX } from './layout.ts';

export async function buildIndex(registry: string): Promise<RegistryIndex> {
  const dir = path.join(registry, METADATA_DIR);
  const index: RegistryIndex = { format: INDEX_FORMAT, modules: {} };
  for (const name of (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort()) {
    const meta = readMetadata(path.join(dir, name));
    if (!meta || typeof meta.name !== 'string') continue;
    const signatureOf = (file: string) => (existsSync(path.join(registry, file + SIGNATURE_SUFFIX)) ? file + SIGNATURE_SUFFIX : null);
    index.modules[meta.name] = indexModule(meta, `${METADATA_DIR}/${name}`, signatureOf);
  }
  return index;
}

export async function writeIndex(registry: string): Promise<RegistryIndex> {
  const index = await buildIndex(registry);
  await writeFileAtomic(path.join(registry, INDEX_FILE), formatIndex(index));
  return index;
}
