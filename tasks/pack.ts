/**
 * pack:core, pack:provider, pack:providers, pack:list, pack:clean — flags and output only;
 * the work is lib/pack/.
 */
import { ProblemsError, ProvisioningError } from '../lib/errors.ts';
import { renderTable } from '../lib/output/format.ts';
import { assertName, moduleName } from '../lib/names.ts';
import { type CleanEntry, cleanPacks, coreTarget, createProgress, listPacks, packAll, packModule, type PackResult, providerTarget } from '../lib/pack/index.ts';
import { assertVersion } from '../lib/versions.ts';
import { nameForStem, packSettings, planner } from '../lib/pack/from-config.ts';
import { findProvider, scanProviders } from '../lib/tree/providers.ts';
import { listRegistry } from '../lib/registry/list.ts';
import { type PackSigner, packSigner } from '../lib/registry/sign-pack.ts';
import { vendoredKey, vendoredVersions } from '../lib/infra/vendored-versions.ts';
import type { FlagSpecs } from './support/flags.ts';
import { defineTask, FORMAT_FLAG, PLAIN_HTTP, plainHttpFlag, ROOT_FLAGS, type TaskContext } from './support/task.ts';

const VER: FlagSpecs = { ver: { type: 'string', description: "version to pack (semver); default: the manifest's [package] version" } };
const OUTPUT: FlagSpecs = { output: { type: 'string', description: 'folder for the .tar files (default: [distribution] pack_path)' } };
const WRITE: FlagSpecs = {
  ...OUTPUT,
  force: { type: 'boolean', description: 'replace a packed version whose content changed' },
  sign: { type: 'boolean', description: 'also write <tar>.minisig ([distribution.signing] secret_key; on by default when it is set)' },
};

/** `--ver`, validated before any file is read. */
function versionFlag(ctx: TaskContext): string | undefined {
  const ver = ctx.flags.ver;
  return ver === undefined ? undefined : assertVersion(ver, '--ver');
}

/**
 * The `--sign` hook (lib/registry/sign-pack.ts): with `--sign`, or with a configured
 * `[distribution.signing] secret_key` unless `--sign=false`, every pack written or found up to
 * date gets a valid `<tar>.minisig`. The key is loaded first: a bad key fails before any tar.
 */
async function signer(ctx: TaskContext, signed: Set<string>): Promise<PackSigner | undefined> {
  const { secretKey } = (await ctx.config()).distribution.signing;
  if (ctx.flags.sign === false || (ctx.flags.sign !== true && secretKey === undefined)) return undefined;
  if (secretKey === undefined) {
    throw new ProvisioningError('KEY_INVALID', 'Cannot use --sign: no [distribution.signing] secret_key is configured', {
      hint: 'run `npx gulp pack:keygen` and add the lines it prints to config/config.toml',
    });
  }
  return packSigner({
    secretKeyFile: secretKey,
    onSigned: (_, file) => {
      signed.add(file);
      ctx.info(`signed ${file}`);
    },
  });
}

async function settingsFor(ctx: TaskContext) {
  const config = await ctx.config();
  // Signatures written in this run, so a removed stale one that was re-signed is not reported.
  const signed = new Set<string>();
  const afterPack = await signer(ctx, signed);
  const settings = packSettings(config, { output: ctx.flags.output as string | undefined, force: ctx.flags.force === true, cwd: ctx.cwd });
  return { config, settings: afterPack ? { ...settings, afterPack } : settings, plans: planner(config), signed };
}

const STATUS = { packed: 'packed', replaced: 'replaced', 'up-to-date': 'up to date' } as const;

function printResults(ctx: TaskContext, results: PackResult[], signed: Set<string>): void {
  const rows = results.map(({ name, version, status, size, integrity, exported, file }) => ({ name, version, status, size, integrity, exported, file }));
  ctx.report(rows, () =>
    renderTable(rows, [
      { header: 'module', value: (r) => r.name },
      { header: 'version', value: (r) => r.version },
      { header: 'status', value: (r) => STATUS[r.status] },
      { header: 'size', value: (r) => r.size },
      { header: 'file', value: (r) => r.file },
    ]));
  for (const r of results) ctx.warnProblems(r.warnings);
  for (const r of results) for (const s of r.skipped) ctx.warn(`${r.name}: ${s.rel} not packed: ${s.reason}`);
  for (const r of results) if (r.note) ctx.info(`note: ${r.note}`);
  for (const r of results) {
    if (r.removedSignature && !signed.has(r.removedSignature)) {
      ctx.warn(`${r.name} ${r.version}: removed ${r.removedSignature}: it signed the tar that was replaced (sign the new one with --sign)`);
    }
  }
}

export const packCore = defineTask({
  name: 'pack:core',
  description: 'Pack the core schemas module into provisioning_<version>.tar',
  flags: { ...ROOT_FLAGS, ...VER, ...WRITE, ...FORMAT_FLAG },
  async run(ctx) {
    const version = versionFlag(ctx);
    const { config, settings, plans, signed } = await settingsFor(ctx);
    const target = await coreTarget(config, { version });
    const plan = plans.planFor(target);
    ctx.warnProblems(plans.warnings());
    printResults(ctx, [await packModule({ ...settings, target, plan })], signed);
  },
});

export const packProvider = defineTask({
  name: 'pack:provider',
  description: 'Pack one provider into <module>_<version>.tar with its registry metadata',
  flags: { ...ROOT_FLAGS, provider: { type: 'string', description: 'provider name, e.g. upcloud' }, ...VER, ...WRITE, ...FORMAT_FLAG },
  async run(ctx) {
    const name = assertName('provider', ctx.flags.provider);
    const version = versionFlag(ctx);
    const { config, settings, plans, signed } = await settingsFor(ctx);
    const target = providerTarget(await findProvider(config, name), { version });
    const plan = plans.planFor(target);
    ctx.warnProblems(plans.warnings());
    printResults(ctx, [await packModule({ ...settings, target, plan })], signed);
  },
});

export const packProviders = defineTask({
  name: 'pack:providers',
  description: 'Pack every provider in parallel, skipping those whose pack is up to date',
  flags: { ...ROOT_FLAGS, ...VER, ...WRITE, ...FORMAT_FLAG },
  async run(ctx) {
    const version = versionFlag(ctx);
    const { config, settings, plans, signed } = await settingsFor(ctx);
    const { providers, problems: folders } = await scanProviders(config);
    ctx.warnProblems(folders);
    if (providers.length === 0) ctx.warn(`no providers found in ${config.paths.providers}`);
    const targets = providers.map((p) => ({ name: p.module, resolve: () => providerTarget(p, { version }) }));
    const progress = createProgress();
    let warned = false;
    const { results, problems } = await packAll({
      ...settings,
      targets,
      plan: (t) => plans.planFor(t),
      onEvent: (event) => {
        if (!warned && plans.warnings().length > 0) {
          warned = true;
          progress.end();
          ctx.warnProblems(plans.warnings());
        }
        progress.onEvent(event);
      },
    });
    progress.end();
    printResults(ctx, results, signed);
    if (problems.length > 0) throw new ProblemsError(problems, `${problems.length} of ${targets.length} provider(s) failed to pack`);
  },
});

export const packList = defineTask({
  name: 'pack:list',
  description: 'List the packages present (module, version, size, integrity, created), or with --registry what a registry holds',
  flags: {
    ...ROOT_FLAGS,
    registry: { type: 'string', description: 'list this registry instead: a folder, an http(s) URL or oci://HOST[:PORT]/NAMESPACE' },
    provider: { type: 'string', description: 'only this provider (with --registry: needed where an OCI registry offers no catalog)' },
    ...PLAIN_HTTP,
    ...FORMAT_FLAG,
  },
  async run(ctx) {
    const config = await ctx.config();
    const columns = [
      { header: 'module', value: (r: { module: string }) => r.module },
      { header: 'version', value: (r: { version: string }) => r.version },
      { header: 'size', value: (r: { size: number }) => r.size },
      { header: 'integrity', value: (r: { integrity: string }) => r.integrity },
      { header: 'created', value: (r: { created: string }) => r.created },
    ];
    const provider = ctx.flags.provider === undefined ? undefined : moduleName(assertName('provider', ctx.flags.provider));
    // A registry only when one is named: the config's default is for publish and vendor.
    if (typeof ctx.flags.registry === 'string') {
      const { registry, rows } = await listRegistry({ config, registry: ctx.flags.registry, module: provider, cwd: ctx.cwd, plainHttp: plainHttpFlag(ctx) });
      ctx.report(rows, () => rows.length === 0 ? `nothing published in ${registry}` : renderTable(rows, columns));
      return;
    }
    const rows = (await listPacks({ registryDir: config.distribution.registryPath, packDir: config.distribution.packPath })).filter((r) =>
      provider === undefined || r.module === provider
    );
    ctx.report(rows, () => rows.length === 0 ? 'no packages yet (run: npx gulp pack:providers)' : renderTable(rows, columns));
  },
});

export const packClean = defineTask({
  name: 'pack:clean',
  description: 'Keep the N highest versions of each package (semver), delete the rest and their signatures',
  flags: {
    ...ROOT_FLAGS,
    'keep-latest': { type: 'number', description: 'versions kept per module (default 3)' },
    'dry-run': { type: 'boolean', description: 'show what would be deleted, delete nothing' },
    force: { type: 'boolean', description: 'also delete versions an infra has vendored' },
    ...OUTPUT,
    ...FORMAT_FLAG,
  },
  async run(ctx) {
    const keep = ctx.flags['keep-latest'] ?? 3;
    if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 0) {
      throw new ProvisioningError('INVALID_OPTION', `Cannot use --keep-latest ${JSON.stringify(keep)}: expected a whole number >= 0`);
    }
    const config = await ctx.config();
    const { outDir, registryDir, cacheDir } = packSettings(config, { output: ctx.flags.output as string | undefined, cwd: ctx.cwd });
    const dryRun = ctx.flags['dry-run'] === true;
    // Versions some infra has vendored are kept (the infra could not be re-vendored) unless --force.
    const vendored = ctx.flags.force === true ? new Map<string, string[]>() : await vendoredVersions(config);
    const keptBy = (name: string, version: string) => vendored.get(vendoredKey(name, version));
    const report = await cleanPacks({
      packDir: outDir,
      registryDir,
      cacheDir,
      keepLatest: keep,
      dryRun,
      nameFor: nameForStem(config),
      protect: (name, version) => keptBy(name, version) !== undefined,
    });
    const verb = dryRun ? 'would delete' : 'deleted';
    const said = (r: CleanEntry): string => {
      switch (r.action) {
        case 'delete':
          return verb;
        case 'protected':
          return `kept: vendored in ${keptBy(r.name, r.version)!.join(', ')}`;
        case 'not-ours':
          return 'kept (not ours)';
        case 'differs':
          return 'kept (differs from metadata)';
        default:
          return r.action;
      }
    };
    const rows = report.map((r) => ({ ...r, action: said(r) }));
    ctx.report({ dryRun, entries: rows }, () =>
      rows.length === 0 ? `no packages in ${outDir}` : renderTable(rows, [
        { header: 'module', value: (r) => r.name },
        { header: 'version', value: (r) => r.version },
        { header: 'action', value: (r) => r.action },
      ]));
  },
});

export const tasks = [packCore, packProvider, packProviders, packList, packClean];
