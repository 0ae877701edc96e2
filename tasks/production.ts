/**
 * The production path: pack:keygen, pack:verify, pack:test, pack:publish, providers:vendor. Thin adapters:
 * read flags and config, call lib/registry and lib/infra, print. (`--sign` on the pack tasks
 * lives in tasks/pack.ts and uses lib/registry/sign-pack.ts.)
 */
import path from 'node:path';
import { ProblemsError } from '../lib/errors.ts';
import { leavesFolder } from '../lib/fs/inside.ts';
import { renderTable } from '../lib/output/format.ts';
import { assertName, moduleName } from '../lib/names.ts';
import { PublishIncomplete, publishPacks, type PublishResult, type VerifiedPack, verifyPacks } from '../lib/registry/index.ts';
import { writeKeyPair } from '../lib/sign/keys.ts';
import { vendorProvider } from '../lib/infra/vendor.ts';
import { type TestedPack, testPacks, type TestPacksResult } from '../lib/pack-test/test-packs.ts';
import type { FlagSpecs } from './support/flags.ts';
import { defineTask, FORMAT_FLAG, type GulpTask, PLAIN_HTTP, plainHttpFlag, ROOT_FLAGS, type TaskContext } from './support/task.ts';

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const PROVIDER: FlagSpecs = { provider: { type: 'string', description: 'provider name, e.g. upcloud' } };

/** A path for config lines: root-relative when inside the root (config resolves it so), else absolute. */
function configPath(root: string, file: string): string {
  const rel = path.relative(root, file);
  return leavesFolder(rel) ? file : rel.split(path.sep).join('/');
}

export const keygen = defineTask({
  name: 'pack:keygen',
  description: 'Write a minisign key pair provisioning.key / provisioning.pub (default <root>/config/keys/)',
  flags: {
    ...ROOT_FLAGS,
    output: { type: 'string', description: 'folder for the key pair (default: <root>/config/keys)' },
    force: { type: 'boolean', description: 'replace an existing key pair (old signatures stop verifying with the new key)' },
  },
  async run(ctx) {
    const root = ctx.root();
    const output = str(ctx.flags.output);
    const dir = output !== undefined ? path.resolve(ctx.cwd, output) : path.join(root, 'config', 'keys');
    const keys = await writeKeyPair({ dir, force: ctx.flags.force === true });
    const config = {
      secret_key: configPath(root, keys.secretKeyFile),
      public_keys: [configPath(root, keys.publicKeyFile)],
    };
    ctx.report({ ok: true, keyId: keys.keyId, secretKeyFile: keys.secretKeyFile, publicKeyFile: keys.publicKeyFile, signing: config }, () =>
      [
        `wrote key pair ${keys.keyId}:`,
        `  secret key: ${keys.secretKeyFile}  (unencrypted, mode 0600: keep it out of git, e.g. in a CI secret)`,
        `  public key: ${keys.publicKeyFile}`,
        '',
        'add to config/config.toml:',
        '',
        '[distribution.signing]',
        `secret_key = ${JSON.stringify(config.secret_key)}`,
        `public_keys = [${JSON.stringify(config.public_keys[0])}]`,
        '# require_signatures = true   # providers:vendor then refuses unsigned packs',
      ].join('\n'));
  },
});

export const verify = defineTask({
  name: 'pack:verify',
  description: 'Check each package against its metadata integrity and, with public_keys configured, its signature',
  flags: { ...ROOT_FLAGS, ...PROVIDER, ver: { type: 'string', description: 'only this version (or semver range)' }, ...FORMAT_FLAG },
  async run(ctx) {
    const provider = ctx.flags.provider === undefined ? undefined : assertName('provider', ctx.flags.provider);
    const config = await ctx.config();
    const result = await verifyPacks({ config, module: provider && moduleName(provider), range: str(ctx.flags.ver) });
    ctx.warnProblems(result.warnings);
    const sig = (r: VerifiedPack) => (r.signature === 'verified' ? `verified (${r.keyId})` : r.signature);
    ctx.report(
      { ok: result.errors.length === 0, packs: result.packs },
      () =>
        result.packs.length === 0 ? 'no packages yet (run: npx gulp pack:providers)' : renderTable(result.packs, [
          { header: 'module', value: (r) => r.module },
          { header: 'version', value: (r) => r.version },
          { header: 'integrity', value: (r) => r.integrity },
          { header: 'signature', value: sig },
          { header: 'file', value: (r) => r.file },
        ]),
    );
    if (result.errors.length > 0) throw new ProblemsError(result.errors, `${result.errors.length} problem(s) in ${result.packs.length} package(s)`);
    if (config.distribution.signing.publicKeys.length === 0) ctx.info('signatures not checked: no [distribution.signing] public_keys configured');
  },
});

/** One row per pack, then what was skipped: the table `pack:test` and `pack:publish --test` print. */
function testTable(result: TestPacksResult): () => string {
  const mark = (s: string) => (s === 'ok' ? 'ok' : s === 'failed' ? 'FAILED' : '-');
  return () =>
    [
      renderTable(result.packs, [
        { header: 'module', value: (r: TestedPack) => r.module },
        { header: 'version', value: (r) => r.version },
        { header: 'integrity', value: (r) => mark(r.checks.integrity) },
        { header: 'PACK.json', value: (r) => mark(r.checks.contents) },
        { header: 'imports', value: (r) => mark(r.checks.imports) },
        { header: 'export', value: (r) => mark(r.checks.export) },
        { header: 'problems', value: (r) => r.problems.length },
        { header: 'dependencies', value: (r) => r.dependencies.join(', ') || '-' },
      ]),
      ...[...new Set(result.packs.flatMap((p) => p.skipped))].map((why) => `skipped ${why}`),
    ].join('\n');
}

/** Runs the pack tests, reports them, and fails with every problem when there is one. */
async function runPackTests(
  ctx: TaskContext,
  options: { module?: string | undefined; range?: string | undefined; allVersions?: boolean },
  failure: string,
): Promise<TestPacksResult> {
  const result = await testPacks({
    config: await ctx.config(),
    ...options,
    onTested: (p, done, total) => ctx.info(`[${done}/${total}] ${p.module} ${p.version} ${p.problems.length === 0 ? 'ok' : `${p.problems.length} problem(s)`}`),
  });
  ctx.warnProblems(result.warnings);
  ctx.report({ ok: result.ok, packs: result.packs }, testTable(result));
  if (!result.ok) {
    throw new ProblemsError(
      result.problems,
      `${result.problems.length} problem(s) in ${result.packs.filter((p) => p.problems.length > 0).length} of ${result.packs.length} pack(s)${failure}`,
    );
  }
  return result;
}

export const packTest = defineTask({
  name: 'pack:test',
  description: 'Test each pack as production uses it: extracted alone (with its packed dependencies), integrity, PACK.json, every import resolved, exports made again',
  flags: {
    ...ROOT_FLAGS,
    provider: { type: 'string', description: 'a provider (aws), a packed module (aws_prov, provisioning_core) or core' },
    ver: { type: 'string', description: 'every version matching this version or range (default: the newest of each module)' },
    ...FORMAT_FLAG,
  },
  async run(ctx) {
    // A provider (`aws`), a module as packed (`aws_prov`, `provisioning_core`), or `core`.
    await runPackTests(ctx, { module: str(ctx.flags.provider), range: str(ctx.flags.ver) }, '');
  },
});

export const publish = defineTask({
  name: 'pack:publish',
  description: 'Publish the local packs, checked and signed ones verified, to a registry folder (with an index.json) or an OCI registry (oci://HOST/NAMESPACE)',
  flags: {
    ...ROOT_FLAGS,
    registry: { type: 'string', description: 'registry folder (created when missing) or oci://HOST[:PORT]/NAMESPACE (default: [distribution] registry)' },
    ...PROVIDER,
    test: { type: 'boolean', description: 'run pack:test on every pack first, and publish nothing when one fails' },
    ...PLAIN_HTTP,
    ...FORMAT_FLAG,
  },
  async run(ctx) {
    const provider = ctx.flags.provider === undefined ? undefined : assertName('provider', ctx.flags.provider);
    if (ctx.flags.test === true) await runPackTests(ctx, { module: provider && moduleName(provider), allVersions: true }, '; nothing published');
    const publishTable = (result: PublishResult) => () =>
      [
        renderTable(result.packs, [
          { header: 'module', value: (r) => r.module },
          { header: 'version', value: (r) => r.version },
          { header: 'status', value: (r) => r.status },
          { header: 'signed', value: (r) => (r.signed ? 'yes' : 'no') },
          { header: 'file', value: (r) => r.package_file },
        ]),
        '',
        result.index ? `registry ${result.registry}: ${Object.keys(result.index.modules).length} module(s) in index.json` : `registry ${result.registry}`,
      ].join('\n');
    const result = await publishPacks({
      config: await ctx.config(),
      registry: str(ctx.flags.registry),
      module: provider && moduleName(provider),
      cwd: ctx.cwd,
      plainHttp: plainHttpFlag(ctx),
      onPushed: (p, done, total) => ctx.info(`[${done}/${total}] pushed ${p.module} ${p.version}`),
    }).catch((error: unknown) => {
      // Some landed before others failed: what is in the registry now is part of the failure document.
      if (error instanceof PublishIncomplete) {
        ctx.warnProblems(error.result.warnings);
        ctx.report(error.result, publishTable(error.result));
      }
      throw error;
    });
    ctx.warnProblems(result.warnings);
    ctx.report(result, publishTable(result));
  },
});

export const vendor = defineTask({
  name: 'providers:vendor',
  description: 'Pin the highest packed version matching --ver into an infra (verified, extracted to <infra>/vendor/<module>/, link dropped)',
  flags: {
    ...ROOT_FLAGS,
    ...PROVIDER,
    infra: { type: 'string', description: 'infra name, e.g. wuji' },
    ver: { type: 'string', description: 'semver range, e.g. ^1.0 (the highest match is vendored)' },
    registry: { type: 'string', description: 'registry folder, http(s) URL or oci://HOST[:PORT]/NAMESPACE (default: [distribution] registry, else the local distribution)' },
    ...PLAIN_HTTP,
    force: { type: 'boolean', description: 'replace a locally edited vendored copy or a hand-edited manifest.toml entry' },
  },
  async run(ctx) {
    const config = await ctx.config();
    const result = await vendorProvider({
      config,
      provider: str(ctx.flags.provider) ?? '',
      infra: str(ctx.flags.infra) ?? '',
      range: str(ctx.flags.ver) ?? '',
      registry: str(ctx.flags.registry),
      force: ctx.flags.force === true,
      cwd: ctx.cwd,
      plainHttp: plainHttpFlag(ctx),
    });
    ctx.warnProblems(result.warnings); // the plain http: warning among them (lib/registry/fetch.ts)
    const { record } = result;
    ctx.report(
      { ok: true, ...result },
      () =>
        result.changes.length === 0
          ? `${result.provider} ${record.version} already vendored in ${result.infra} (${result.dir}); nothing changed`
          : `vendored ${result.provider} ${record.version} into ${result.infra} (${result.dir}) from ${record.source}${
            result.keyId ? `, signature verified (key ${result.keyId})` : ''
          }`,
    );
    result.changes.forEach((c) => ctx.info(`  ${c}`));
  },
});

export const tasks: GulpTask[] = [keygen, verify, packTest, publish, vendor];
