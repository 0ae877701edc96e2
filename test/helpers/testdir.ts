import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The toolkit's own folder (where gulpfile.ts is). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The bundled example provisioning tree. */
export const EXAMPLE_ROOT = path.join(PROJECT_ROOT, 'examples', 'provisioning');

/** A file's content, or a symlink to create. */
export type Entry = string | Uint8Array | { symlink: string };
export type Tree = Record<string, Entry>;

const made: string[] = [];

/**
 * A fresh temp folder holding `tree` (paths with `/`, parents created), removed at the end of
 * the run by {@link cleanupTestdirs}. Each test builds its own; none uses process.chdir.
 */
export async function testdir(tree: Tree = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'provdist-test-'));
  made.push(dir);
  await writeTree(dir, tree);
  return dir;
}

export async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [rel, entry] of Object.entries(tree)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    if (typeof entry === 'object' && 'symlink' in entry) await symlink(entry.symlink, file);
    else await writeFile(file, entry);
  }
}

/** A temp copy of the bundled example tree, plus `extra` files. */
export async function exampleTree(extra: Tree = {}): Promise<string> {
  const dir = await testdir();
  await cp(EXAMPLE_ROOT, dir, { recursive: true, verbatimSymlinks: true });
  await writeTree(dir, extra);
  return dir;
}

export async function cleanupTestdirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
