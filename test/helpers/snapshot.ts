import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every file, link and folder under `dir` with its bytes (or link target): two equal snapshots
 * mean "not one byte changed on disk".
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    const abs = path.join(dir, rel);
    const st = await lstat(abs);
    if (st.isSymbolicLink()) out[rel] = `-> ${await readlink(abs)}`;
    else if (st.isDirectory()) {
      out[rel + '/'] = 'dir';
      for (const name of (await readdir(abs)).sort()) await walk(rel ? `${rel}/${name}` : name);
    } else out[rel] = (await readFile(abs)).toString('base64');
  }
  await walk('');
  return out;
}
