/**
 * Benchmark: publishing to and vendoring from an OCI registry, whole processes as the user
 * starts them, against skopeo in the same run, on a real CNCF distribution (Debian's
 * docker-registry) on loopback:
 *
 *   npx tsx bench/oci.bench.ts [packs=200]
 *
 * - publish cold: `gulp pack:publish --registry oci://…` of every pack, vs a loop of one
 *   `skopeo copy dir:<layout> docker://…` per pack, the very same artifacts (built here with the
 *   toolkit's own artifact code, so both push identical blobs and manifests);
 * - publish unchanged: the same command again (everything there already);
 * - vendor: `gulp providers:vendor` of one pack, vs one `skopeo copy docker://… dir:` of it; and
 *   bare gulp-cli start-up (a one-task JavaScript gulpfile, the yardstick of bench/startup.bench.ts),
 *   since the target is "skopeo's time plus that"; medians of five, in turns.
 *
 * Needs docker-registry and skopeo (.ci/run installs them). Prints the machine and the load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config/load.ts';
import { packSettings, planner } from '../lib/pack/from-config.ts';
import { packAll, providerTarget } from '../lib/pack/index.ts';
import { buildArtifact } from '../lib/registry/oci/artifact.ts';
import { digestOf } from '../lib/registry/oci/client.ts';
import { discoverProviders } from '../lib/tree/providers.ts';
import { REGISTRY_BIN, SKOPEO_BIN, startRegistry } from '../test/helpers/oci-registry.ts';
import { cleanupTestdirs, testdir } from '../test/helpers/testdir.ts';

const PACKS = Number(process.argv[2] ?? 200);
const VENDORS = 5;
const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const GULP = path.join(PROJECT, 'node_modules/gulp-cli/bin/gulp.js');

if (!REGISTRY_BIN || !SKOPEO_BIN) {
  process.stderr.write('oci.bench: docker-registry and skopeo are needed (apt-get install docker-registry skopeo)\n');
  process.exit(2);
}

function time(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function run(cmd: string, args: string[], { cwd = PROJECT }: { cwd?: string } = {}): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed:\n${r.stderr}`);
}

const loadavg = async () => (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ') || 'unknown';
const loadBefore = await loadavg();
const registry = (await startRegistry())!;
try {
  const root = await testdir({
    'config/config.toml': '[nickel]\nexport = "off"\n\n[distribution.oci]\nplain_http = true\n',
    'workspace/infra/wuji/manifest.toml': '[package]\nname = "wuji"\n',
  });
  for (let p = 0; p < PACKS; p++) {
    const dir = path.join(root, 'extensions/providers', `p${String(p).padStart(3, '0')}`, 'nickel');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.toml'), `[package]\nname = "p${String(p).padStart(3, '0')}_prov"\nversion = "1.0.0"\n`);
    for (let f = 0; f < 10; f++) {
      await writeFile(
        path.join(dir, `f${f}.ncl`),
        `{\n${Array.from({ length: 40 }, (_, i) => `  field_${i} = "value ${p}-${f}-${i}",`).join('\n')}\n}\n`,
      );
    }
  }
  const config = await loadConfig({ root });
  const plans = planner(config);
  const providers = await discoverProviders(config);
  const { results } = await packAll({
    ...packSettings(config),
    targets: providers.map((p) => ({ name: p.module, resolve: () => providerTarget(p) })),
    plan: (t) => plans.planFor(t),
  });

  // skopeo's side: each pack as an OCI `dir:` layout holding exactly the artifact we push.
  const layouts = await testdir();
  for (const r of results) {
    const tar = await readFile(r.file);
    const artifact = buildArtifact({ name: r.name, version: r.version, tarName: path.basename(r.file), tar, exported: r.exported, info: config.distribution.metadata });
    const dir = path.join(layouts, r.name);
    await mkdir(dir);
    await writeFile(path.join(dir, 'version'), 'Directory Transport Version: 1.1\n');
    await writeFile(path.join(dir, 'manifest.json'), artifact.manifest);
    for (const blob of artifact.blobs) await writeFile(path.join(dir, digestOf(blob).slice('sha256:'.length)), blob);
  }
  const skopeoLoop = time(() => {
    for (const r of results) {
      run(SKOPEO_BIN!, ['copy', '--quiet', '--dest-tls-verify=false', `dir:${path.join(layouts, r.name)}`, `docker://${registry.host}/skopeo/providers/${r.name}:${r.version}`]);
    }
  });

  const ns = `oci://${registry.host}/ours/providers`;
  const publish = () => run('node', [GULP, 'pack:publish', '--registry', ns, '--base', root, '--silent']);
  const cold = time(publish);
  const unchanged = time(publish);

  // Vendor, skopeo's pull and bare gulp-cli in turns, VENDORS times each (a fresh infra per vendor): medians.
  const bare = await testdir({ 'gulpfile.js': 'exports.hello = function hello(cb) { cb(); };\n', node_modules: { symlink: path.join(PROJECT, 'node_modules') } });
  const vendors: number[] = [];
  const pulls: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < VENDORS; i++) {
    await mkdir(path.join(root, `workspace/infra/w${i}`), { recursive: true });
    await writeFile(path.join(root, `workspace/infra/w${i}/manifest.toml`), `[package]\nname = "w${i}"\n`);
    vendors.push(time(() => run('node', [GULP, 'providers:vendor', '--provider', 'p000', '--infra', `w${i}`, '--ver', '1.0.0', '--registry', ns, '--base', root, '--silent'])));
    const out = await testdir();
    pulls.push(
      time(() => run(SKOPEO_BIN!, ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/ours/providers/p000_prov:1.0.0`, `dir:${path.join(out, 'p000')}`])),
    );
    starts.push(time(() => run('node', [GULP, 'hello'], { cwd: bare })));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const [vendor, skopeoPull, gulpStart] = [median(vendors), median(pulls), median(starts)];

  const cpu = (await readFile('/proc/cpuinfo', 'utf8').catch(() => '')).match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  process.stdout.write(
    [
      `machine: ${cpus().length} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpu}, node ${process.version}`,
      `load average (1/5/15 min): ${loadBefore} before, ${await loadavg()} after`,
      `registry: docker-registry (CNCF distribution) on ${registry.host}, plain HTTP; ${results.length} packs of ${results[0]?.size ?? 0} bytes`,
      `skopeo copy loop, one process per pack:        ${fmt(skopeoLoop)}`,
      `gulp pack:publish, cold:                       ${fmt(cold)}  = ${(cold / skopeoLoop).toFixed(3)}x the skopeo loop`,
      `gulp pack:publish, unchanged:                  ${fmt(unchanged)}`,
      `gulp providers:vendor, one pack (median of ${VENDORS}): ${fmt(vendor)}`,
      `skopeo copy of that pack to dir:               ${fmt(skopeoPull)}`,
      `bare gulp-cli, a one-task gulpfile:            ${fmt(gulpStart)}`,
      `vendor / (skopeo copy + gulp start-up):        ${(vendor / (skopeoPull + gulpStart)).toFixed(3)}x`,
    ].join('\n') + '\n',
  );
} finally {
  await registry.stop();
  await cleanupTestdirs();
}
