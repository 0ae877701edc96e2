/**
 * The package as another project uses it: a temp project whose node_modules/provider-distribution
 * is a link to this folder (what `npm install ../provider-distribution` makes), with its own
 * gulpfile chaining our functions with series/parallel and piping src() through our plugin,
 * run as a real subprocess: gulp-cli under Node, a three-line runner under Deno.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../../index.ts';
import { run } from '../helpers/run.ts';
import { exampleTree, PROJECT_ROOT, testdir } from '../helpers/testdir.ts';

const STAND_IN = path.join(PROJECT_ROOT, 'test', 'fixtures', 'bin', 'nickel');

/** The gulpfile README "Using it from your own gulpfile" shows. */
const GULPFILE = `import path from 'node:path';
import gulp from 'gulp';
import {
  findProvider, installProvider, loadConfig, nickelExport, packModule, packSettings, packTest, planner,
  providerTarget, ProvisioningError, reproducibleTar, resolveRoot, validateInfras,
} from 'provider-distribution';

const { dest, parallel, series, src } = gulp;
const config = await loadConfig({ root: resolveRoot() }); // $PROVISIONING, else this folder

/** Link upcloud into wuji, as \`provisioning providers install upcloud wuji\` does. */
export async function link() {
  await installProvider({ config, provider: 'upcloud', infra: 'wuji' });
}

/** Validators return problems as data: fail the build on errors. */
export async function check() {
  const { errors } = await validateInfras({ config, infra: 'wuji' });
  if (errors.length > 0) throw new ProvisioningError(errors[0].code, errors.map((e) => e.message).join('\\n'));
}

/** Our plugins in your own pipeline: aws's sources plus their JSON exports, as one reproducible tar. */
export function awsTar() {
  const dir = path.join(config.paths.providers, 'aws', 'nickel');
  return src('**', { cwd: dir, base: dir, encoding: false, dot: true, nodir: true })
    .pipe(nickelExport({ bin: config.nickel.bin, exports: ['server_aws.ncl'] }))
    .pipe(reproducibleTar({ module: 'aws_prov', version: '0.2.0' }))
    .pipe(dest(path.join(config.root, 'out')));
}

/** A full pack (tar + registry metadata), as \`provisioning pack provider upcloud\` makes. */
export async function packUpcloud() {
  const target = providerTarget(await findProvider(config, 'upcloud'));
  const result = await packModule({ ...packSettings(config), target, plan: planner(config).planFor(target) });
  console.log(\`packed \${path.basename(result.file)}\`);
}

/** Then every pack tested as production uses it (fails the build with every problem found). */
export default series(link, parallel(check, awsTar, packUpcloud), packTest({ config }));
`;

/** A consumer project: its gulpfile, and node_modules links to this package and to gulp. */
async function consumer(): Promise<{ project: string; root: string }> {
  const root = await exampleTree({ 'config/config.toml': `[nickel]\nbin = "${STAND_IN}"\n` });
  const project = await testdir({
    'package.json': JSON.stringify({ name: 'my-infra', private: true, type: 'module' }),
    'gulpfile.ts': GULPFILE,
    // gulp-cli loads a TypeScript gulpfile through this preload (tsx), as ours does.
    '.gulp.cjs': "require('provider-distribution/gulp-preload');\nmodule.exports = {};\n",
    'node_modules/provider-distribution': { symlink: PROJECT_ROOT },
    'node_modules/gulp': { symlink: path.join(PROJECT_ROOT, 'node_modules', 'gulp') },
    'deno-run.ts': "import build from './gulpfile.ts';\nbuild((error?: Error) => { if (error) { console.error(String(error)); process.exitCode = 1; } });\n",
  });
  return { project, root };
}

async function assertBuilt(root: string, stdout: string): Promise<void> {
  assert.ok(existsSync(path.join(root, 'workspace/infra/wuji/.nickel-modules/upcloud_prov')), 'link made');
  const tar = await readFile(path.join(root, 'out', 'aws_prov_0.2.0.tar'));
  const text = tar.toString('latin1');
  assert.ok(text.includes('aws_prov/export/server_aws.json'), 'export added by nickelExport');
  assert.ok(text.includes('aws_prov/PACK.json'));
  assert.ok(existsSync(path.join(root, 'distribution/packages/upcloud_prov_0.0.1.tar')));
  assert.ok(existsSync(path.join(root, 'distribution/registry/upcloud_prov.json')));
  assert.match(stdout, 'packed upcloud_prov_0.0.1.tar');
}

const t = suite('api: a gulpfile of your own');

t('index.ts exports the lib functions, plugins and error type', () => {
  for (
    const name of [
      'loadConfig',
      'resolveRoot',
      'discoverProviders',
      'findProvider',
      'installProvider',
      'removeProvider',
      'listInstalled',
      'validateInfras',
      'syncInfras',
      'packModule',
      'packAll',
      'cleanPacks',
      'listPacks',
      'reproducibleTar',
      'nickelExport',
      'signFile',
      'verifyFile',
      'extractPack',
      'publishPacks',
      'verifyPacks',
      'vendorProvider',
      'watchProviders',
      'testPacks',
      'packTest',
    ]
  ) {
    assert.type((api as Record<string, unknown>)[name], 'function', name);
  }
  assert.is(new api.ProvisioningError('PROVIDER_NOT_FOUND', 'x').code, 'PROVIDER_NOT_FOUND');
});

t('node: gulp-cli runs series(link, parallel(check, src().pipe(our plugins), pack))', async () => {
  const { project, root } = await consumer();
  const r = await run('node', [path.join(PROJECT_ROOT, 'node_modules', 'gulp-cli', 'bin', 'gulp.js')], { cwd: project, env: { PROVISIONING: root, PROVISIONING_CONFIG: '' } });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, "Finished 'default'");
  assert.match(r.stdout, "Finished 'pack:test'");
  await assertBuilt(root, r.stdout);
});

t('node: a failing step fails the build with its code', async () => {
  const { project, root } = await consumer();
  const gulpJs = path.join(PROJECT_ROOT, 'node_modules', 'gulp-cli', 'bin', 'gulp.js');
  assert.is((await run('node', [gulpJs, 'link'], { cwd: project, env: { PROVISIONING: root } })).code, 0);
  const server = path.join(root, 'extensions/providers/upcloud/nickel/server_upcloud.ncl');
  await import('node:fs/promises').then(async (fs) => fs.writeFile(server, (await fs.readFile(server, 'utf8')).replace('"network_upcloud.ncl"', '"gone.ncl"')));
  const r = await run('node', [gulpJs, 'check'], { cwd: project, env: { PROVISIONING: root } });
  assert.is(r.code, 1);
  assert.match(r.stdout + r.stderr, 'gone.ncl');
});

t('deno: the same gulpfile, run by Deno', async () => {
  const { project, root } = await consumer();
  const r = await run(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'deno'), ['run', '-A', 'deno-run.ts'], {
    cwd: project,
    env: { PROVISIONING: root, PROVISIONING_CONFIG: '' },
  });
  assert.is(r.code, 0, r.stdout + r.stderr);
  await assertBuilt(root, r.stdout);
});
t.run();
