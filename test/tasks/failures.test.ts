/**
 * Failures as the user meets them, in real gulp processes: a full disk is one coded line
 * (`error OUTPUT_UNWRITABLE: … ENOSPC`), also under `--silent`, never a stack trace; Ctrl-C
 * (SIGINT) and SIGTERM release locks and remove temp files, then exit non-zero.
 *
 * The full disk is a real one: a 16 KiB tmpfs mounted for the test (needs root, as CI runs; the
 * test says so and stops elsewhere).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gulp } from '../helpers/run.ts';
import { exampleTree, PROJECT_ROOT, testdir } from '../helpers/testdir.ts';
import { pack, prodTree } from '../helpers/prod-tree.ts';

const STAND_IN = path.join(PROJECT_ROOT, 'test/fixtures/bin/nickel');
const GULP = path.join(PROJECT_ROOT, 'node_modules', 'gulp-cli', 'bin', 'gulp.js');

/** Mounts a tmpfs of `size` at a fresh folder; undefined when this machine cannot (not root). */
async function smallDisk(size: string): Promise<{ dir: string; unmount(): void } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const dir = await testdir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { dir, unmount: () => execFileSync('umount', [dir], { stdio: 'ignore' }) };
}

const disk = suite('failures: a full disk');

disk('pack:providers onto a full disk prints error OUTPUT_UNWRITABLE naming ENOSPC and the path, also under --silent, and no stack', async () => {
  const small = await smallDisk('16k');
  if (!small) return console.warn('  (skipped: cannot mount a tmpfs here; needs root)');
  try {
    await writeFile(path.join(small.dir, 'filler'), Buffer.alloc(12 * 1024)); // 4 KiB left: no pack fits
    const root = await exampleTree();
    for (const silent of [[], ['--silent']]) {
      const r = await gulp(['pack:providers', '--base', root, '--output', small.dir, ...silent]);
      assert.is.not(r.code, 0);
      assert.match(r.stderr, /error OUTPUT_UNWRITABLE: .*ENOSPC/, r.stderr);
      assert.ok(r.stderr.includes(small.dir), 'the path is named');
      assert.not.match(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, `no stack trace:\n${r.stderr}`);
      assert.not.ok((await readdir(small.dir)).some((n) => n.endsWith('.tmp')), 'no half-written temp file is left');
    }
  } finally {
    small.unmount();
  }
});

disk.run();

const interrupt = suite('failures: Ctrl-C and SIGTERM');

/** Starts gulp with `args`; resolves with its exit status after `signal` is sent once `ready()` holds. */
function interrupted(
  args: string[],
  signal: NodeJS.Signals,
  ready: () => Promise<boolean>,
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [GULP, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: '1', PROVISIONING: '', PROVISIONING_CONFIG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stderr }));
    const poll = async () => {
      if (child.exitCode !== null) return;
      if (await ready()) child.kill(signal);
      else setTimeout(poll, 20);
    };
    void poll();
  });
}

/** A nickel that waits before doing the stand-in's work: a long export to interrupt. */
async function slowNickel(dir: string, marker: string): Promise<string> {
  const bin = path.join(dir, 'slow-nickel');
  await writeFile(bin, `#!/bin/sh\ntouch '${marker}'\nsleep 30\nexec '${STAND_IN}' "$@"\n`);
  await chmod(bin, 0o755);
  return bin;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  interrupt(`${signal} during pack:providers releases the pack lock and leaves no temp file, then exits non-zero`, async () => {
    const root = await exampleTree();
    const tools = await testdir();
    const marker = path.join(tools, 'exporting');
    await writeFile(path.join(root, 'config/config.toml'), `\n[nickel]\nbin = "${await slowNickel(tools, marker)}"\nexport = "required"\n`, { flag: 'a' });
    const r = await interrupted(['pack:providers', '--base', root], signal, async () => existsSync(marker));
    // The signal's status, as a shell reports it (gulp-cli's own exit listener would say 1). Deno's
    // node:child_process reports a child it was asked to kill with no code at all, whatever its status.
    if (r.code !== null || !('Deno' in globalThis)) assert.is(r.code, signal === 'SIGINT' ? 130 : 143, `exit ${r.code}`);
    const locks = path.join(root, 'distribution/cache/locks');
    assert.equal(existsSync(locks) ? await readdir(locks) : [], [], 'the lock folder is gone');
    const packages = path.join(root, 'distribution/packages');
    assert.equal(existsSync(packages) ? (await readdir(packages)).filter((n) => n.endsWith('.tmp')) : [], []);
  });
}

interrupt('SIGINT during an HTTP vendor download removes the provisioning-vendor-* temp folder and the infra lock, and changes nothing', async () => {
  const t = await prodTree();
  await pack(t.root, 'aws');
  // A registry that sends the metadata, then half a pack, then stalls.
  const { readFile } = await import('node:fs/promises');
  const meta = JSON.parse(await readFile(path.join(t.root, 'distribution/registry/aws_prov.json'), 'utf8'));
  const tar = await readFile(path.join(t.root, 'distribution/packages/aws_prov_0.2.0.tar'));
  for (const v of Object.values(meta.versions) as { package_file: string }[]) v.package_file = 'packages/aws_prov_0.2.0.tar';
  meta.package_file = 'packages/aws_prov_0.2.0.tar';
  let sending = false;
  const server = createServer((req, res) => {
    if (req.url === '/registry/aws_prov.json') return void res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(meta));
    if (req.url === '/packages/aws_prov_0.2.0.tar') {
      res.writeHead(200, { 'content-length': tar.length, connection: 'close' });
      res.write(tar.subarray(0, 1024));
      sending = true;
      return; // never ends
    }
    res.writeHead(404, { connection: 'close' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const tmp = await testdir();
  await mkdir(tmp, { recursive: true });
  const { snapshot } = await import('../helpers/snapshot.ts');
  const before = await snapshot(t.wuji);
  try {
    const r = await interrupted(
      ['providers:vendor', '--provider', 'aws', '--infra', 'wuji', '--ver', '*', '--registry', url, '--base', t.root],
      'SIGINT',
      async () => sending && (await readdir(tmp)).some((n) => n.startsWith('provisioning-vendor-')),
      { TMPDIR: tmp },
    );
    assert.is.not(r.code, 0);
    assert.equal((await readdir(tmp)).filter((n) => n.startsWith('provisioning-vendor-')), [], 'the temp folder is gone');
    assert.equal(await snapshot(t.wuji), before, 'the infra is as it was (no lock left)');
  } finally {
    server.closeAllConnections?.();
    server.close();
  }
});

interrupt.run();
