/**
 * A separate process taking the infra lock (test/fs/lock.test.ts): while it holds it, it counts
 * the holders (one marker file each in `<dir>/holders/`) and logs `overlap` when it is not alone.
 */
import { appendFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withLock } from '../../lib/fs/lock.ts';

const [dir, log] = process.argv.slice(2) as [string, string];
const mine = path.join(dir, 'holders', String(process.pid));
await withLock(dir, async () => {
  await writeFile(mine, '');
  if ((await readdir(path.join(dir, 'holders'))).length > 1) await appendFile(log, `overlap ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, 20)); // hold it a little, so others queue up
  await rm(mine);
}, { timeoutMs: 60000 });
await appendFile(log, `done ${process.pid}\n`);
