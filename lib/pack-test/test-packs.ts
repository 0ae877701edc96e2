/**
 * `pack:test`: each pack tested the way production will use it, before it ships. Extracted alone
 * (the strict extraction vendoring uses) into a fresh temp folder, with the packs of the modules
 * its manifest declares as dependencies laid out where their paths point; checked against its
 * metadata (integrity, size) and PACK.json (every file, nothing extra); every `import "…"`
 * resolved inside that layout; and, when `nickel` is found, every file the pack exported
 * exported again from the extracted copy and compared with the pack's `export/*.json`.
 *
 * Every problem of every pack is reported, never only the first. Packs are tested in parallel.
 * Nothing is written in the tree; the temp folder goes, also on Ctrl-C.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { extractPack } from '../archive/extract-pack.ts';
import type { Config, Language } from '../config/types.ts';
import { isProvisioningError, ProblemsError, ProvisioningError, systemError, toProblem, type Problem } from '../errors.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import { readMetadata, type VersionRecord } from '../formats/metadata.ts';
import { readToml } from '../formats/toml/parse.ts';
import { onInterrupt } from '../fs/interrupt.ts';
import { nameForStem } from '../pack/from-config.ts';
import { findBinary } from '../pack/nickel.ts';
import { localPackageFile } from '../registry/source.ts';
import { settleEach } from '../settle.ts';
import { rootRelative } from '../tree/layout.ts';
import { assertRange, isVersion } from '../versions.ts';
import { checkPackExports, exportFilesOf } from './exports.ts';
import { checkPackImports, type LaidOutDependency } from './imports.ts';

export interface TestPacksOptions {
  config: Config;
  /** Only this module (`aws_prov`, `provisioning_core`). Default: every module packed. */
  module?: string | undefined;
  /** Every version matching this version or range. Default: the newest of each module. */
  range?: string | undefined;
  /** Every version of each module (what `pack:publish --test` checks). Default false. */
  allVersions?: boolean;
  /** Most packs tested at once. Default: the machine's CPUs. */
  concurrency?: number;
  /** Called as each pack is done, for progress. */
  onTested?: (pack: TestedPack, done: number, total: number) => void;
}

export type CheckStatus = 'ok' | 'failed' | 'skipped';

export interface TestedPack {
  module: string;
  version: string;
  language: Language;
  /** The tar, root-relative. */
  file: string;
  checks: {
    /** The tar against its metadata's integrity and size. */
    integrity: CheckStatus;
    /** Safe entries, and every file against PACK.json (nothing missing, nothing extra). */
    contents: CheckStatus;
    /** Every import resolved inside the pack or a declared dependency. */
    imports: CheckStatus;
    /** Every export made again from the extracted copy, the same value. */
    export: CheckStatus;
  };
  /** The declared dependencies laid out beside it: `provisioning_core 0.0.1 at ../../../../nickel`. */
  dependencies: string[];
  /** Why a check was skipped, one line each. */
  skipped: string[];
  problems: Problem[];
}

export interface TestPacksResult {
  ok: boolean;
  packs: TestedPack[];
  /** Every problem, of every pack, plus those of the metadata itself. */
  problems: Problem[];
  warnings: Problem[];
}

interface Candidate {
  /** Metadata name (`aws_prov`, `provisioning_core`). */
  name: string;
  version: string;
  record: VersionRecord;
  tarFile: string;
  /** The tar's top folder (`aws_prov`, `provisioning`). */
  stem: string;
  metaFile: string;
}

/** Every metadata file of the local distribution: its packs by module, newest version first. */
async function readDistribution(config: Config, problems: Problem[]): Promise<Map<string, Candidate[]>> {
  const dir = config.distribution.registryPath;
  const modules = new Map<string, Candidate[]>();
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  for (const file of names.map((n) => path.join(dir, n))) {
    const metaFile = rootRelative(config, file);
    let meta;
    try {
      meta = readMetadata(file);
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      problems.push(toProblem(error));
      continue;
    }
    if (!meta || typeof meta.name !== 'string') continue;
    const packs: Candidate[] = [];
    for (const version of Object.keys(meta.versions).filter(isVersion).sort(semver.rcompare)) {
      const record = meta.versions[version]!;
      try {
        const tarFile = localPackageFile(config, record.package_file, metaFile, { version, name: meta.name, nameForStem: nameForStem(config) });
        packs.push({ name: meta.name, version, record, tarFile, stem: path.basename(tarFile).slice(0, -`_${version}.tar`.length), metaFile });
      } catch (error) {
        // One version's bad record is its problem; the module's other versions are still tested.
        if (!isProvisioningError(error)) throw error;
        problems.push(toProblem(error));
      }
    }
    modules.set(meta.name, packs);
  }
  return modules;
}

function select(modules: Map<string, Candidate[]>, { module, range, allVersions }: Pick<TestPacksOptions, 'module' | 'range' | 'allVersions'>): Candidate[] {
  if (range !== undefined) assertRange(range);
  if (module !== undefined && !modules.has(module)) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot test ${module}: it has no package metadata`, { hint: 'pack it first: npx gulp pack:provider --provider <name> (or npx gulp pack:providers)' });
  }
  const chosen: Candidate[] = [];
  for (const [name, packs] of modules) {
    if (module !== undefined && name !== module) continue;
    const matching = range === undefined ? packs : packs.filter((p) => (isVersion(range) ? p.version === range : semver.satisfies(p.version, range)));
    chosen.push(...(range === undefined && !allVersions ? matching.slice(0, 1) : matching));
  }
  if (chosen.length === 0) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot test${module ? ` ${module}` : ''}: no package${range ? ` matches --ver ${range}` : ' yet'}`, {
      hint: range ? 'npx gulp pack:list shows the versions packed' : 'pack first: npx gulp pack:providers',
    });
  }
  return chosen;
}

/** The declared dependencies of an extracted pack's manifest.toml: name → path (string paths only). */
async function declaredDependencies(dir: string): Promise<{ name: string; path: string; version?: string }[]> {
  let manifest: Record<string, unknown>;
  try {
    manifest = await readToml(path.join(dir, 'manifest.toml'));
  } catch {
    return [];
  }
  const deps = manifest.dependencies;
  if (typeof deps !== 'object' || deps === null) return [];
  const out: { name: string; path: string; version?: string }[] = [];
  for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
    const s = spec as Record<string, unknown> | null;
    if (typeof s?.path === 'string') out.push({ name, path: s.path, ...(typeof s.version === 'string' ? { version: s.version } : {}) });
  }
  return out;
}

/** How many folders a relative path climbs above its start at most (`../../x` → 2). */
function climb(rel: string): number {
  let depth = 0;
  let most = 0;
  for (const part of rel.split(/[\\/]+/)) {
    if (part === '..') most = Math.max(most, ++depth);
    else if (part !== '.' && part !== '') depth--;
  }
  return most;
}

function packCommand(config: Config, name: string): string {
  if (name === config[config.language].corePackageName) return 'npx gulp pack:core';
  return `npx gulp pack:provider --provider ${name.replace(/_prov$/, '')}`;
}

const PLACE = 'up';

/** Tests one pack in its own folder of `work`. */
async function testOne(config: Config, pack: Candidate, modules: Map<string, Candidate[]>, work: string, nickel: string | undefined): Promise<TestedPack> {
  const label = `${pack.name} ${pack.version}`;
  const tested: TestedPack = {
    module: pack.name, version: pack.version, language: 'nickel', file: rootRelative(config, pack.tarFile),
    checks: { integrity: 'ok', contents: 'ok', imports: 'ok', export: 'ok' },
    dependencies: [], skipped: [], problems: [],
  };
  const fail = (check: keyof TestedPack['checks'], problems: Problem[]) => {
    if (problems.length === 0) return;
    tested.checks[check] = 'failed';
    tested.problems.push(...problems);
  };
  const skip = (checks: (keyof TestedPack['checks'])[], why: string) => {
    for (const c of checks) tested.checks[c] = 'skipped';
    tested.skipped.push(why);
  };

  const actual = await fileIntegrity(pack.tarFile).catch(() => undefined);
  if (actual === undefined) {
    fail('integrity', [{ code: 'PACK_NOT_FOUND', message: `${label}: ${tested.file} is missing`, file: tested.file, hint: `pack it again, or run pack:clean to drop it from ${pack.metaFile}` }]);
    skip(['contents', 'imports', 'export'], 'the tar is missing');
    return tested;
  }
  if (actual.integrity !== pack.record.integrity || actual.size !== pack.record.size) {
    fail('integrity', [{
      code: 'INTEGRITY_MISMATCH',
      message: `${label}: ${tested.file} is ${actual.integrity} (${actual.size} bytes), its metadata says ${pack.record.integrity} (${pack.record.size} bytes)`,
      file: tested.file,
      hint: 'the tar or its metadata was altered after packing; pack it again',
    }]);
  }

  // The pack's folder sits deep enough that every dependency path it declares lands inside `work`.
  await mkdir(work, { recursive: true });
  let dir = path.join(work, pack.stem);
  let extracted: Awaited<ReturnType<typeof extractPack>>;
  try {
    extracted = await extractPack({ tarFile: pack.tarFile, module: pack.stem, dest: dir });
    if (extracted.name !== pack.name || extracted.version !== pack.version) {
      throw new ProvisioningError('INTEGRITY_MISMATCH', `${label}: its PACK.json says ${extracted.name} ${extracted.version}`, { file: tested.file, hint: 'pack it again' });
    }
  } catch (error) {
    if (!isProvisioningError(error)) throw error;
    fail('contents', [{ ...toProblem(error), file: tested.file }]);
    skip(['imports', 'export'], 'the pack could not be extracted');
    return tested;
  }
  const deps = await declaredDependencies(dir);
  const depth = Math.max(0, ...deps.map((d) => (path.isAbsolute(d.path) ? 0 : climb(d.path))));
  if (depth > 0) {
    const nested = path.join(work, ...Array.from({ length: depth }, (_, i) => `${PLACE}${i + 1}`), pack.stem);
    await mkdir(path.dirname(nested), { recursive: true });
    await rename(dir, nested);
    dir = nested;
  }
  const display = (file: string) => `${pack.stem}/${path.relative(dir, file).split(path.sep).join('/')}`;
  tested.language = (await readdir(dir)).includes('kcl.mod') ? 'kcl' : 'nickel';

  const laidOut: LaidOutDependency[] = [];
  for (const dep of deps) {
    if (path.isAbsolute(dep.path)) continue; // an absolute path is another machine's: every import there escapes
    const at = path.resolve(dir, dep.path);
    const candidates = (modules.get(dep.name) ?? []).filter((p) => dep.version === undefined || semver.validRange(dep.version) === null || semver.satisfies(p.version, dep.version));
    const chosen = candidates[0];
    const entry: LaidOutDependency = { name: dep.name, path: dep.path, dir: at, packCommand: packCommand(config, dep.name) };
    if (chosen !== undefined) {
      try {
        await extractPack({ tarFile: chosen.tarFile, module: chosen.stem, dest: at });
        entry.packed = `${chosen.name} ${chosen.version}`;
        tested.dependencies.push(`${entry.packed} at ${dep.path}`);
      } catch (error) {
        if (!isProvisioningError(error)) throw error;
        tested.problems.push({ ...toProblem(error), message: `${label}: its dependency ${chosen.name} ${chosen.version} cannot be laid out: ${error.message}` });
      }
    }
    laidOut.push(entry);
  }

  if (tested.language === 'kcl') {
    skip(['imports', 'export'], 'imports and export: a legacy KCL pack (only integrity and PACK.json are checked)');
    return tested;
  }
  fail('imports', await checkPackImports({ dir, label, display, dependencies: laidOut }));

  if ((await exportFilesOf(dir)).length === 0) {
    skip(['export'], 'export: the pack holds no export/*.json (packed without nickel)');
  } else if (nickel === undefined) {
    skip(['export'], `export: "${config.nickel.bin}" not found (install nickel, or set [nickel] bin, to compare the exports)`);
  } else {
    fail('export', await checkPackExports({ dir, label, display, bin: nickel, files: Object.keys(extracted.files) }));
  }
  return tested;
}

/** Tests the packs selected; every problem of every pack in the result, `ok` false when there is one. */
export async function testPacks({ config, module, range, allVersions = false, concurrency = os.availableParallelism?.() ?? os.cpus().length, onTested }: TestPacksOptions): Promise<TestPacksResult> {
  const problems: Problem[] = [];
  const modules = await readDistribution(config, problems);
  const chosen = select(modules, { module, range, allVersions });
  const nickel = findBinary(config.nickel.bin, { cwd: config.root });
  const work = await mkdtemp(path.join(os.tmpdir(), 'provisioning-pack-test-'));
  const forget = onInterrupt(() => rmSync(work, { recursive: true, force: true }));
  try {
    let done = 0;
    const settled = await settleEach(chosen, Math.max(1, concurrency), async (pack, i) => {
      const tested = await testOne(config, pack, modules, path.join(work, String(i)), nickel);
      onTested?.(tested, ++done, chosen.length);
      return tested;
    });
    const packs = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    for (const p of packs) problems.push(...p.problems);
    const warnings: Problem[] = nickel === undefined && packs.some((p) => p.skipped.some((s) => s.startsWith('export: "')))
      ? [{ code: 'NICKEL_NOT_FOUND', message: `"${config.nickel.bin}" not found: the packs' exports were not compared`, hint: 'install nickel (https://nickel-lang.org) or set [nickel] bin' }]
      : [];
    return { ok: problems.length === 0, packs, problems, warnings };
  } catch (error) {
    // A raw system error (a full disk in the temp folder) becomes a coded one.
    throw systemError(error, 'test the packs', work, { writing: true });
  } finally {
    forget();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * `testPacks` as a gulp task function, for `series(pack, packTest({ config }), publish)` in a
 * gulpfile of your own: it fails the build with every problem (a ProblemsError) and passes the
 * result on when every pack passed.
 */
export function packTest(options: TestPacksOptions): (() => Promise<TestPacksResult>) & { displayName: string } {
  const task = async () => {
    const result = await testPacks(options);
    if (!result.ok) throw new ProblemsError(result.problems, `pack:test: ${result.problems.length} problem(s): ${result.problems.map((p) => `${p.code}: ${p.message}`).join('; ')}`);
    return result;
  };
  return Object.assign(task, { displayName: 'pack:test' });
}
