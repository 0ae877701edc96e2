/**
 * Pack test trees: a provisioning root whose `[nickel] bin` is the stand-in (or a real nickel),
 * and one-call packing through the same library path the tasks use.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/types.ts';
import { packModule, type PackModuleOptions, type PackResult, providerTarget } from '../../lib/pack/index.ts';
import { packSettings, planner } from '../../lib/pack/from-config.ts';
import { findBinary } from '../../lib/pack/nickel.ts';
import { findProvider } from '../../lib/tree/providers.ts';
import { PROJECT_ROOT, testdir, type Tree } from './testdir.ts';
export { codeOf } from './codes.ts';

/** The stand-in nickel (see its header), always available. */
export const STAND_IN = path.join(PROJECT_ROOT, 'test', 'fixtures', 'bin', 'nickel');

/** Every nickel to run the export tests with: the stand-in, plus a real one when on PATH. */
export function nickelBinaries(): { label: string; bin: string }[] {
  const real = findBinary('nickel');
  const out = [{ label: 'stand-in', bin: STAND_IN }];
  if (real) {
    try {
      execFileSync(real, ['--version'], { stdio: 'ignore' });
      out.push({ label: 'real nickel', bin: real });
    } catch {
      // a broken nickel on PATH is not one to test against
    }
  }
  return out;
}

/** A provider's manifest and three Nickel files, as in the example tree. */
export function providerFiles(name: string, version: string | undefined = '1.0.0', extra = ''): Tree {
  const dir = `extensions/providers/${name}/nickel`;
  return {
    [`${dir}/manifest.toml`]: `[package]\nname = "${name}_prov"\n${version ? `version = "${version}"\n` : ''}${extra}`,
    [`${dir}/defaults_${name}.ncl`]: `# Defaults\n{ zone = "z1", plan = "small" }\n`,
    [`${dir}/network_${name}.ncl`]: `let d = import "defaults_${name}.ncl" in\n{ private = { cidr = "10.0.0.0/24", public = false }, zone = d.zone }\n`,
    [`${dir}/server_${name}.ncl`]:
      `let d = import "defaults_${name}.ncl" in\nlet n = import "network_${name}.ncl" in\n{ provider = "${name}", server = { plan = d.plan, networks = [n.private] } }\n`,
  };
}

export interface PackTreeOptions {
  /** `[nickel] bin`. Default: the stand-in. */
  bin?: string;
  /** `[nickel] export`. Default auto. */
  exportMode?: 'auto' | 'required' | 'off';
  /** Extra files. */
  tree?: Tree;
}

export async function packTree({ bin = STAND_IN, exportMode = 'auto', tree = providerFiles('aws') }: PackTreeOptions = {}): Promise<string> {
  return testdir({
    'config/config.toml': `[nickel]\nbin = ${JSON.stringify(bin)}\nexport = "${exportMode}"\n`,
    'extensions/providers/.keep': '',
    ...tree,
  });
}

export interface PackOneOptions extends Partial<Omit<PackModuleOptions, 'target' | 'plan'>> {
  ver?: string;
  output?: string;
}

/** Packs one provider as `pack:provider` does; the config is returned for paths. */
export async function packOne(root: string, provider: string, { ver, output, force, ...rest }: PackOneOptions = {}): Promise<PackResult & { config: Config }> {
  const config = await loadConfig({ root });
  const target = providerTarget(await findProvider(config, provider), { version: ver });
  const plan = planner(config).planFor(target);
  const result = await packModule({ ...packSettings(config, { output, force, cwd: root }), ...rest, target, plan });
  return { ...result, config };
}
