/**
 * The module-loader tasks: discover providers and link them into infras. Thin adapters: read
 * flags, call lib/, print (results on stdout, notes on stderr, problems via defineTask).
 */
import { ProblemsError } from '../lib/errors.ts';
import { installProvider } from '../lib/infra/install.ts';
import { type InstalledRow, listInstalled } from '../lib/infra/installed.ts';
import { removeProvider } from '../lib/infra/remove.ts';
import { syncInfras } from '../lib/infra/sync.ts';
import { validateInfras } from '../lib/infra/validate.ts';
import { renderTable } from '../lib/output/format.ts';
import { providerInfo } from '../lib/providers/info.ts';
import { assertLanguage } from '../lib/providers/language.ts';
import { listProviders, type ProviderRow } from '../lib/providers/list.ts';
import type { FlagSpecs } from './support/flags.ts';
import { defineTask, FORMAT_FLAG, type GulpTask, PLAIN_HTTP, plainHttpFlag, ROOT_FLAGS, type TaskContext } from './support/task.ts';

const PROVIDER: FlagSpecs = { provider: { type: 'string', description: 'provider name, e.g. upcloud' } };
const INFRA: FlagSpecs = { infra: { type: 'string', description: 'infra name, e.g. wuji' } };
const LANG: FlagSpecs = { lang: { type: 'string', description: 'nickel or kcl (default: config [language] default)' } };

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const changesOf = (ctx: TaskContext, changes: string[]) => changes.forEach((c) => ctx.info(`  ${c}`));

export const list = defineTask({
  name: 'providers:list',
  description: 'List every discovered provider: name, module, version, language, path',
  flags: { ...ROOT_FLAGS, ...FORMAT_FLAG, ...LANG },
  async run(ctx) {
    const { providers, problems } = await listProviders({ config: await ctx.config(), lang: assertLanguage(ctx.flags.lang) });
    ctx.warnProblems(problems);
    ctx.report(providers, () =>
      renderTable<ProviderRow>(providers, [
        { header: 'name', value: (r) => r.name },
        { header: 'module', value: (r) => r.module },
        { header: 'version', value: (r) => r.version ?? undefined },
        { header: 'language', value: (r) => r.language },
        { header: 'path', value: (r) => r.path },
      ]));
  },
});

export const info = defineTask({
  name: 'providers:info',
  description: 'Show one provider: manifest fields, files, the infras it is installed in',
  flags: { ...ROOT_FLAGS, ...PROVIDER, ...LANG, ...FORMAT_FLAG },
  async run(ctx) {
    const data = await providerInfo({ config: await ctx.config(), provider: str(ctx.flags.provider) ?? '', lang: assertLanguage(ctx.flags.lang) });
    ctx.report(data, () =>
      [
        `${data.name} (${data.module}) ${data.version ?? '(no version)'} — ${data.language}, ${data.path}`,
        ...(data.description ? [data.description] : []),
        '',
        'manifest:',
        ...Object.entries(data.manifest).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`),
        '',
        'files:',
        ...data.files.map((f) => `  ${f}`),
        '',
        'installed in:',
        ...(data.installedIn.length ? data.installedIn.map((i) => `  ${i.infra} (${i.mode} ${i.version ?? '-'})`) : ['  (none)']),
      ].join('\n'));
  },
});

export const install = defineTask({
  name: 'providers:install',
  description: 'Link a provider into an infra: relative symlink, manifest.toml dependency, providers.manifest.yaml record (idempotent)',
  flags: {
    ...ROOT_FLAGS,
    ...PROVIDER,
    ...INFRA,
    ...LANG,
    ver: { type: 'string', description: 'semver range the provider version must satisfy, e.g. ^0.2' },
    force: { type: 'boolean', description: 'replace a link pointing elsewhere or a hand-edited manifest.toml entry' },
  },
  async run(ctx) {
    const result = await installProvider({
      config: await ctx.config(),
      provider: str(ctx.flags.provider) ?? '',
      infra: str(ctx.flags.infra) ?? '',
      range: str(ctx.flags.ver),
      lang: assertLanguage(ctx.flags.lang),
      force: ctx.flags.force === true,
    });
    const { provider, infra, link, record, changes, warnings } = result;
    ctx.report(
      { ok: true, provider, infra, link, record, changes, warnings },
      () =>
        changes.length === 0
          ? `${provider} already installed in ${infra} (${link}); nothing changed`
          : `installed ${provider} ${record.version ?? '(no version)'} into ${infra} (${link})`,
    );
    changesOf(ctx, result.changes);
    ctx.warnProblems(result.warnings);
  },
});

export const remove = defineTask({
  name: 'providers:remove',
  description: 'Undo providers:install, taking only what install made (drift needs --force)',
  flags: { ...ROOT_FLAGS, ...PROVIDER, ...INFRA, force: { type: 'boolean', description: 'also remove a link pointing elsewhere or a hand-edited entry' } },
  async run(ctx) {
    const result = await removeProvider({
      config: await ctx.config(),
      provider: str(ctx.flags.provider) ?? '',
      infra: str(ctx.flags.infra) ?? '',
      force: ctx.flags.force === true,
    });
    ctx.report({ ok: true, ...result }, () => `removed ${result.provider} from ${result.infra}`);
    changesOf(ctx, result.changes);
    ctx.warnProblems(result.warnings);
  },
});

export const installed = defineTask({
  name: 'providers:installed',
  description: 'Show what an infra has: name, module, mode (link or vendor), version, source, status',
  flags: { ...ROOT_FLAGS, ...INFRA, ...FORMAT_FLAG },
  async run(ctx) {
    const rows = await listInstalled({ config: await ctx.config(), infra: str(ctx.flags.infra) ?? '' });
    ctx.report(rows, () =>
      rows.length === 0 ? '(no providers installed)' : renderTable<InstalledRow>(rows, [
        { header: 'name', value: (r) => r.name },
        { header: 'module', value: (r) => r.module },
        { header: 'mode', value: (r) => r.mode },
        { header: 'version', value: (r) => r.version ?? undefined },
        { header: 'source', value: (r) => r.source },
        { header: 'status', value: (r) => r.status },
      ]));
  },
});

export const validate = defineTask({
  name: 'providers:validate',
  description: 'Check links, records and imports of every infra (or --infra) and report every problem',
  flags: {
    ...ROOT_FLAGS,
    infra: { type: 'string', description: 'only this infra (default: every infra)' },
    production: { type: 'boolean', description: 'also fail on link mode, unpinned versions and vendored files that differ from their pack' },
    ...FORMAT_FLAG,
  },
  async run(ctx) {
    const result = await validateInfras({ config: await ctx.config(), infra: str(ctx.flags.infra), production: ctx.flags.production === true });
    ctx.warnProblems(result.warnings);
    const ok = result.errors.length === 0;
    // One report shape, pass or fail (`problems` as in every failed task's JSON): scripts read
    // `ok`, people read a line per infra.
    const report = { ok, problems: result.errors, warnings: result.warnings, infras: result.infras };
    const lines = result.infras.map((r) => {
      const warnings = r.warnings.length ? `, ${r.warnings.length} warning(s)` : '';
      return r.errors.length ? `${r.infra}: ${r.errors.length} problem(s)${warnings}` : `${r.infra}: ok (${r.providers} provider(s)${warnings})`;
    });
    if (result.infras.length === 0) lines.push('(no infras)');
    if (result.tree.errors.length > 0) lines.push(`tree: ${result.tree.errors.length} problem(s) (folders that are no infra or provider)`);
    ctx.report(report, () => lines.join('\n'));
    const where = [...(result.tree.errors.length ? ['the tree'] : []), ...result.infras.filter((r) => r.errors.length).map((r) => r.infra)];
    if (!ok) throw new ProblemsError(result.errors, `${result.errors.length} problem(s) in ${where.join(', ')}`);
  },
});

export const sync = defineTask({
  name: 'providers:sync',
  description: 'Rebuild links, manifest.toml entries and missing vendored copies (by their recorded OCI digest) from providers.manifest.yaml (e.g. after a fresh clone)',
  flags: {
    ...ROOT_FLAGS,
    infra: { type: 'string', description: 'only this infra (default: every infra)' },
    force: { type: 'boolean', description: 'replace links pointing elsewhere and hand-edited entries' },
    ...PLAIN_HTTP,
  },
  async run(ctx) {
    const reports = await syncInfras({ config: await ctx.config(), infra: str(ctx.flags.infra), force: ctx.flags.force === true, plainHttp: plainHttpFlag(ctx) });
    for (const r of reports) changesOf(ctx, r.changes);
    ctx.warnProblems(reports.flatMap((r) => r.warnings));
    const problems = reports.flatMap((r) => r.problems);
    ctx.report({ ok: problems.length === 0, infras: reports }, () =>
      reports.filter((r) => r.problems.length === 0)
        .map((r) => `${r.infra}: ${r.changes.length ? `${r.changes.length} change(s)` : 'in sync'}`).join('\n'));
    if (problems.length > 0) throw new ProblemsError(problems, `${problems.length} problem(s); those infras were left unchanged`);
  },
});

export const tasks: GulpTask[] = [list, info, install, remove, installed, validate, sync];
