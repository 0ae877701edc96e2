/**
 * The folders of a provisioning tree, as every task sees them: a folder under
 * `extensions/providers/` or `workspace/infra/` whose name is not a valid name is reported
 * (INVALID_NAME), never skipped in silence; a symlinked provider folder follows one rule in every
 * task (refused: LINK_CONFLICT); a manifest naming another module than its folder is a coded
 * warning naming both; info describes the install of the language asked for.
 */
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installProvider } from '../../lib/infra/install.ts';
import { validateInfras } from '../../lib/infra/validate.ts';
import { packModule } from '../../lib/pack/pack-module.ts';
import { packSettings, planner } from '../../lib/pack/from-config.ts';
import { providerTarget } from '../../lib/pack/target.ts';
import { providerInfo } from '../../lib/providers/info.ts';
import { listProviders } from '../../lib/providers/list.ts';
import { findProvider } from '../../lib/tree/providers.ts';
import { codeOf } from '../helpers/codes.ts';
import { exampleTree, testdir } from '../helpers/testdir.ts';
import { example } from '../helpers/example.ts';

const names = suite('tree: folders with invalid names are reported');

names('validate --production reports an infra folder named Prod (INVALID_NAME) and fails, instead of "(no infras)"', async () => {
  const t = await example();
  const { rename } = await import('node:fs/promises');
  await rename(t.wuji, path.join(t.root, 'workspace/infra/Prod'));
  const result = await validateInfras({ config: t.config, production: true });
  assert.ok(result.errors.some((p) => p.code === 'INVALID_NAME' && p.message.includes('Prod')), JSON.stringify(result.errors));
});

names('list and validate report a provider folder named NoVer (INVALID_NAME)', async () => {
  const t = await example({ 'extensions/providers/NoVer/nickel/manifest.toml': '[package]\nname = "NoVer_prov"\n' });
  const { problems } = await listProviders({ config: t.config });
  assert.ok(problems.some((p) => p.code === 'INVALID_NAME' && p.message.includes('NoVer')), JSON.stringify(problems));
  const result = await validateInfras({ config: t.config });
  assert.ok(result.errors.some((p) => p.code === 'INVALID_NAME' && p.message.includes('NoVer')), JSON.stringify(result.errors));
});

names('hidden folders (.git, .cache) are not providers and not reported', async () => {
  const t = await example({ 'extensions/providers/.cache/x': '', 'workspace/infra/.git/HEAD': '' });
  assert.equal((await listProviders({ config: t.config })).problems, []);
  assert.equal((await validateInfras({ config: t.config })).errors, []);
});

names.run();

const linked = suite('tree: a symlinked provider folder follows one rule in every task');

linked('list reports it, and install, info, pack and validate refuse it (LINK_CONFLICT)', async () => {
  const elsewhere = await testdir({ 'gcp/nickel/manifest.toml': '[package]\nname = "gcp_prov"\nversion = "1.0.0"\n', 'gcp/nickel/main.ncl': '{ a = 1 }\n' });
  const t = await example();
  await symlink(path.join(elsewhere, 'gcp'), path.join(t.root, 'extensions/providers/gcp'));
  const { providers, problems } = await listProviders({ config: t.config });
  assert.not.ok(providers.some((p) => p.name === 'gcp'));
  assert.equal(problems.map((p) => p.code), ['LINK_CONFLICT']);
  assert.is(await codeOf(installProvider({ config: t.config, provider: 'gcp', infra: 'wuji' })), 'LINK_CONFLICT');
  assert.is(await codeOf(providerInfo({ config: t.config, provider: 'gcp' })), 'LINK_CONFLICT');
  assert.is(await codeOf(findProvider(t.config, 'gcp')), 'LINK_CONFLICT');
  assert.ok((await validateInfras({ config: t.config })).errors.some((p) => p.code === 'LINK_CONFLICT'));
});

linked('a symlinked language folder is refused the same way', async () => {
  const elsewhere = await testdir({ 'nickel/manifest.toml': '[package]\nname = "gcp_prov"\nversion = "1.0.0"\n' });
  const t = await example({ 'extensions/providers/gcp/README.md': 'gcp\n' });
  await symlink(path.join(elsewhere, 'nickel'), path.join(t.root, 'extensions/providers/gcp/nickel'));
  assert.is(await codeOf(findProvider(t.config, 'gcp')), 'LINK_CONFLICT');
  assert.equal((await listProviders({ config: t.config })).problems.map((p) => p.code), ['LINK_CONFLICT']);
});

linked.run();

const named = suite('tree: a manifest naming another module than its folder');

named('folder dup/ whose manifest says name = "gcp_prov" is a NAME_MISMATCH warning naming both, in list and pack', async () => {
  const t = await example({ 'extensions/providers/dup/nickel/manifest.toml': '[package]\nname = "gcp_prov"\nversion = "1.0.0"\n' });
  const { problems } = await listProviders({ config: t.config });
  const warning = problems.find((p) => p.code === 'NAME_MISMATCH');
  assert.ok(warning && warning.message.includes('dup_prov') && warning.message.includes('gcp_prov'), JSON.stringify(problems));
  const provider = await findProvider(t.config, 'dup');
  const target = providerTarget(provider);
  const result = await packModule({ ...packSettings(t.config), target, plan: planner(t.config).planFor(target) });
  assert.is(result.name, 'dup_prov');
  assert.ok(result.warnings.some((p) => p.code === 'NAME_MISMATCH'), JSON.stringify(result.warnings));
});

named.run();

const info = suite('tree: info describes the language asked for');

info('info --lang kcl lists only the kcl install, info --lang nickel only the nickel one', async () => {
  const root = await exampleTree({ 'workspace/infra/other/manifest.toml': '[package]\nname = "other"\n' });
  const { loadConfig } = await import('../../lib/config/load.ts');
  const config = await loadConfig({ root });
  await installProvider({ config, provider: 'local', infra: 'wuji', lang: 'nickel' });
  await installProvider({ config, provider: 'local', infra: 'other', lang: 'kcl' });
  assert.equal((await providerInfo({ config, provider: 'local', lang: 'kcl' })).installedIn.map((i) => i.infra), ['other']);
  assert.equal((await providerInfo({ config, provider: 'local', lang: 'nickel' })).installedIn.map((i) => i.infra), ['wuji']);
});

info.run();
