/**
 * The benchmarks' synthetic provisioning tree: `providers` providers of `files` `.ncl` files each
 * (~200 KB per provider at 40 files), Nickel export off (nickel cannot be installed on the
 * benchmark machine, and the GNU loop it is measured against exports nothing either).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function makeTree(root: string, providers: number, files: number): Promise<void> {
  await mkdir(path.join(root, 'config'), { recursive: true });
  await writeFile(path.join(root, 'config/config.toml'), '[nickel]\nexport = "off"\n');
  for (let p = 0; p < providers; p++) {
    const dir = path.join(root, 'extensions/providers', `p${String(p).padStart(3, '0')}`, 'nickel');
    await mkdir(path.join(dir, 'schemas'), { recursive: true });
    await writeFile(path.join(dir, 'manifest.toml'), `[package]\nname = "p${String(p).padStart(3, '0')}_prov"\nversion = "1.0.${p % 7}"\n`);
    for (let f = 1; f < files; f++) {
      const rel = f % 4 === 0 ? `schemas/s${f}.ncl` : `f${f}.ncl`;
      const body = `# provider ${p} file ${f}\n{\n${Array.from({ length: 20 + ((p * 31 + f * 17) % 80) }, (_, i) => `  field_${i} = "value ${p}-${f}-${i}",`).join('\n')}\n}\n`;
      await writeFile(path.join(dir, rel), body);
    }
  }
}

/** The yardstick: GNU `tar -cf` + `sha256sum` per provider, in bash. Arguments: the root, an output folder. */
export const GNU_LOOP = `for d in "$1"/extensions/providers/*/; do n=$(basename "$d"); tar -cf "$2/$n.tar" -C "$d" nickel; sha256sum "$2/$n.tar" >/dev/null; done`;
