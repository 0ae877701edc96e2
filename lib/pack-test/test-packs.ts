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
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { extractPack } from '../archive/extract-pack.ts';
import type { Config, Language } from '../config/types.ts';
import { closest } from '../did-you-mean.ts';
import { isProvisioningError, type Problem, ProblemsError, ProvisioningError, systemError, toProblem } from '../errors.ts';
import { fileIntegrity } from '../formats/integrity.ts';
import { readMetadata, type VersionRecord } from '../formats/metadata.ts';
import { readToml } from '../formats/toml/parse.ts';
import { isInside } from '../fs/inside.ts';
import { onInterrupt } from '../fs/interrupt.ts';
import { nameForStem, packCommandFor, repackHint } from '../pack/from-config.ts';
import { findBinary } from '../pack/nickel.ts';
import { CORE_STEM } from '../pack/target.ts';
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

/** One metadata file of the local distribution: its packs, newest first, and what is wrong with it. */
interface Module {
  packs: Candidate[];
  /** A file that cannot be read, a version record naming another file: this module's problems. */
  problems: Problem[];
  /** Version keys that are no version (`v0.3.0`): skipped, and said. */
  warnings: Problem[];
}

/** Every metadata file of the local distribution, by its file's stem (the module name). */
async function readDistribution(config: Config): Promise<Map<string, Module>> {
  const dir = config.distribution.registryPath;
  const modules = new Map<string, Module>();
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  for (const file of names.map((n) => path.join(dir, n))) {
    const metaFile = rootRelative(config, file);
    const module: Module = { packs: [], problems: [], warnings: [] };
    modules.set(path.basename(file, '.json'), module);
    let meta;
    try {
      meta = readMetadata(file);
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      module.problems.push(toProblem(error));
      continue;
    }
    if (!meta || typeof meta.name !== 'string') continue;
    for (const version of Object.keys(meta.versions).sort()) {
      if (!isVersion(version)) {
        module.warnings.push({
          code: 'REGISTRY_ERROR',
          message: `${metaFile}: version key ${JSON.stringify(version)} is not a semantic version; skipped`,
          file: metaFile,
          hint: 'pack that version again under a semver version (e.g. 0.3.0, not v0.3.0)',
        });
        continue;
      }
      const record = meta.versions[version]!;
      try {
        const tarFile = localPackageFile(config, record.package_file, metaFile, { version, name: meta.name, nameForStem: nameForStem(config) });
        module.packs.push({ name: meta.name, version, record, tarFile, stem: path.basename(tarFile).slice(0, -`_${version}.tar`.length), metaFile });
      } catch (error) {
        // One version's bad record is its problem; the module's other versions are still tested.
        if (!isProvisioningError(error)) throw error;
        module.problems.push(toProblem(error));
      }
    }
    module.packs.sort((x, y) => semver.rcompare(x.version, y.version));
  }
  return modules;
}

/**
 * The module `--provider` names: a module name as packed (`aws_prov`, `provisioning_core`), a
 * provider's name (`aws`), or `core`. PACK_NOT_FOUND with "did you mean" otherwise.
 */
function resolveModule(config: Config, modules: Map<string, Module>, wanted: string): string {
  const core = config[config.language].corePackageName;
  for (const name of [wanted, `${wanted}_prov`, ...(wanted === 'core' || wanted === CORE_STEM ? [core] : [])]) if (modules.has(name)) return name;
  const known = [...modules.keys()].map((n) => n.replace(/_prov$/, ''));
  const near = closest(wanted.replace(/_prov$/, ''), known);
  throw new ProvisioningError('PACK_NOT_FOUND', `Cannot test "${wanted}": no pack of it in ${rootRelative(config, config.distribution.registryPath)}/`, {
    hint: near ? `did you mean "${near}"?` : known.length > 0 ? `packed: ${known.join(', ')}` : 'pack first: npx gulp pack:providers',
  });
}

function select(modules: Map<string, Module>, module: string | undefined, { range, allVersions }: Pick<TestPacksOptions, 'range' | 'allVersions'>): Candidate[] {
  const chosen: Candidate[] = [];
  for (const [name, { packs }] of modules) {
    if (module !== undefined && name !== module) continue;
    const matching = range === undefined ? packs : packs.filter((p) => (isVersion(range) ? p.version === range : semver.satisfies(p.version, range)));
    chosen.push(...(range === undefined && !allVersions ? matching.slice(0, 1) : matching));
  }
  return chosen;
}

interface Declared {
  name: string;
  path: string;
  version?: string | undefined;
}

/** The declared dependencies of an extracted pack's manifest.toml (path dependencies only); MANIFEST_PARSE said, never read as none. */
async function declaredDependencies(dir: string, display: (file: string) => string): Promise<Declared[] | Problem> {
  const file = path.join(dir, 'manifest.toml');
  if (!existsSync(file)) return [];
  let manifest: Record<string, unknown>;
  try {
    manifest = await readToml(file);
  } catch (error) {
    const problem = isProvisioningError(error) ? toProblem(error) : { code: 'MANIFEST_PARSE' as const, message: String(error) };
    return {
      ...problem,
      code: 'MANIFEST_PARSE',
      message: `${display(file)} does not parse, so its dependencies are unknown: ${problem.message.split(dir).join(path.basename(dir))}`,
      file: display(file),
    };
  }
  const deps = manifest.dependencies;
  if (typeof deps !== 'object' || deps === null) return [];
  const out: Declared[] = [];
  for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
    const s = spec as Record<string, unknown> | null;
    if (typeof s?.path === 'string') out.push({ name, path: s.path, version: typeof s.version === 'string' ? s.version : undefined });
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

const PLACE = 'up';

/** The dependency to lay out for `dep`: the newest pack matching its version, or why there is none. */
function dependencyPack(config: Config, modules: Map<string, Module>, dep: Declared): { pack: Candidate } | { missing: string; hint: string } {
  const known = modules.get(dep.name);
  const command = packCommandFor(config, dep.name);
  const hint = command
    ? `pack it first: ${command}`
    : `${dep.name} is neither a provider nor the core of this tree: put its pack (tar and registry metadata) in this tree's distribution for the imports through it to be checked`;
  if (known && known.problems.length > 0 && known.packs.length === 0) {
    return { missing: `whose metadata cannot be used (${known.problems[0]!.message})`, hint: known.problems[0]!.hint ?? hint };
  }
  const packs = known?.packs ?? [];
  if (packs.length === 0) return { missing: 'which has no pack', hint };
  const range = dep.version !== undefined && semver.validRange(dep.version) !== null ? dep.version : undefined;
  const pack = range === undefined ? packs[0] : packs.find((p) => semver.satisfies(p.version, range));
  if (pack) return { pack };
  return {
    missing: `but no pack of ${dep.name} matches ${range} (packed: ${packs.map((p) => p.version).join(', ')})`,
    hint: command ? `pack a version that matches: ${command} --ver <version>` : hint,
  };
}

/** Tests one pack in its own folder of `work`. */
async function testOne(config: Config, pack: Candidate, modules: Map<string, Module>, work: string, nickel: string | undefined): Promise<TestedPack> {
  const label = `${pack.name} ${pack.version}`;
  const tested: TestedPack = {
    module: pack.name,
    version: pack.version,
    language: 'nickel',
    file: rootRelative(config, pack.tarFile),
    checks: { integrity: 'ok', contents: 'ok', imports: 'ok', export: 'ok' },
    dependencies: [],
    skipped: [],
    problems: [],
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
    fail('integrity', [{ code: 'PACK_NOT_FOUND', message: `${label}: ${tested.file} is missing`, file: tested.file, hint: repackHint(config, pack.name, pack.version) }]);
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

  await mkdir(work, { recursive: true });
  let dir = path.join(work, pack.stem);
  let extracted: Awaited<ReturnType<typeof extractPack>>;
  try {
    extracted = await extractPack({ tarFile: pack.tarFile, module: pack.stem, dest: dir, shown: tested.file });
    if (extracted.name !== pack.name || extracted.version !== pack.version) {
      throw new ProvisioningError('INTEGRITY_MISMATCH', `${label}: its PACK.json says ${extracted.name} ${extracted.version}`, { file: tested.file, hint: 'pack it again' });
    }
  } catch (error) {
    if (!isProvisioningError(error)) throw error;
    fail('contents', [{ ...toProblem(error), file: tested.file }]);
    skip(['imports', 'export'], 'the pack could not be extracted');
    return tested;
  }
  const declared = await declaredDependencies(dir, (file) => `${pack.stem}/${path.relative(dir, file).split(path.sep).join('/')}`);
  const deps = Array.isArray(declared) ? declared : [];
  // The pack's folder sits deep enough that every dependency path it declares lands inside `work`.
  const depth = Math.max(0, ...deps.map((d) => (path.isAbsolute(d.path) ? 0 : climb(d.path))));
  if (depth > 0) {
    const nested = path.join(work, ...Array.from({ length: depth }, (_, i) => `${PLACE}${i + 1}`), pack.stem);
    await mkdir(path.dirname(nested), { recursive: true });
    await rename(dir, nested);
    dir = nested;
  }
  const display = (file: string) => `${pack.stem}/${path.relative(dir, file).split(path.sep).join('/')}`;
  // A Nickel pack holds manifest.toml (a kcl.mod beside it does not make it a KCL one).
  const files = await readdir(dir);
  tested.language = !files.includes('manifest.toml') && files.includes('kcl.mod') ? 'kcl' : 'nickel';

  const dependencyProblems: Problem[] = Array.isArray(declared) ? [] : [declared];
  const laidOut: LaidOutDependency[] = [];
  for (const dep of deps) {
    const at = path.isAbsolute(dep.path) ? dep.path : path.resolve(dir, dep.path);
    const entry: LaidOutDependency = { name: dep.name, path: dep.path, dir: at, absolute: path.isAbsolute(dep.path), missing: undefined, hint: '' };
    laidOut.push(entry);
    if (entry.absolute) continue; // another machine's path: the imports through it say so
    if (dep.name === pack.name || isInside(dir, at) || isInside(at, dir)) {
      dependencyProblems.push({
        code: 'MANIFEST_INVALID',
        message: `${label}: dependency ${dep.name} (${dep.path}) is the pack itself`,
        file: display(path.join(dir, 'manifest.toml')),
        hint: 'remove it from [dependencies] in manifest.toml',
      });
      entry.missing = 'which is the pack itself';
      continue;
    }
    const found = dependencyPack(config, modules, dep);
    if ('missing' in found) {
      [entry.missing, entry.hint] = [found.missing, found.hint];
      continue;
    }
    try {
      await extractPack({ tarFile: found.pack.tarFile, module: found.pack.stem, dest: at, shown: rootRelative(config, found.pack.tarFile) });
      entry.packed = `${found.pack.name} ${found.pack.version}`;
      tested.dependencies.push(`${entry.packed} at ${dep.path}`);
    } catch (error) {
      if (!isProvisioningError(error)) throw error;
      entry.missing = `whose pack ${found.pack.name} ${found.pack.version} cannot be laid out`;
      entry.hint = 'run pack:test on it to see why';
      dependencyProblems.push({ ...toProblem(error), message: `${label}: its dependency ${found.pack.name} ${found.pack.version} cannot be laid out: ${error.message}` });
    }
  }
  // Temp paths (in nickel's stderr, in extraction errors) read as the pack's own.
  const shown = (text: string) =>
    [...laidOut.filter((d) => !d.absolute).map((d) => [d.dir, d.name] as const), [dir, pack.stem] as const].reduce((t, [from, to]) => t.split(from).join(to), text);

  const said = dependencyProblems.map((p) => ({ ...p, message: shown(p.message) }));
  if (tested.language === 'kcl') {
    skip(['imports', 'export'], 'imports and export: a legacy KCL pack (only integrity and PACK.json are checked)');
    fail('imports', said); // its manifest's dependencies are still checked
    return tested;
  }
  fail('imports', [...said, ...(await checkPackImports({ dir, label, display, dependencies: laidOut }))]);

  if ((await exportFilesOf(dir)).length === 0) {
    skip(['export'], 'export: the pack holds no export/*.json (packed without nickel, or it exports nothing)');
  } else if (nickel === undefined) {
    skip(['export'], `export: "${config.nickel.bin}" not found (install nickel, or set [nickel] bin, to compare the exports)`);
  } else {
    const against = tested.dependencies.length > 0 ? ` with ${tested.dependencies.map((d) => d.replace(/ at .*$/, '')).join(', ')} laid out` : '';
    const command = packCommandFor(config, pack.name, semver.inc(pack.version, 'patch') ?? '<next version>');
    const problems = await checkPackExports({ dir, label, display, bin: nickel, files: Object.keys(extracted.files), shown });
    fail(
      'export',
      problems.map((p) => (p.code !== 'EXPORT_MISMATCH' || against === '' ? p : {
        ...p,
        message: `${p.message}${against}`,
        hint: `it was exported against other files of its dependencies than those packs; a packed version is immutable, so pack it again as a new version against them${
          command ? `: ${command}` : ''
        }`,
      })),
    );
  }
  return tested;
}

/** Tests the packs selected; every problem of every pack in the result, `ok` false when there is one. */
export async function testPacks(
  { config, module, range, allVersions = false, concurrency = os.availableParallelism?.() ?? os.cpus().length, onTested }: TestPacksOptions,
): Promise<TestPacksResult> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ProvisioningError('INVALID_OPTION', `Cannot test packs with concurrency ${JSON.stringify(concurrency)}: expected a whole number >= 1`);
  }
  if (range !== undefined) assertRange(range);
  const modules = await readDistribution(config);
  const selected = module === undefined ? undefined : resolveModule(config, modules, module);
  const own = [...modules].filter(([name]) => selected === undefined || name === selected).map(([, m]) => m);
  // The selected module's metadata is unusable: that is the error, not "no package".
  const unusable = own.find((m) => m.packs.length === 0 && m.problems.length > 0);
  if (selected !== undefined && unusable) {
    const p = unusable.problems[0]!;
    throw new ProvisioningError(p.code, p.message, p);
  }
  const chosen = select(modules, selected, { range, allVersions });
  if (chosen.length === 0) {
    throw new ProvisioningError('PACK_NOT_FOUND', `Cannot test${selected ? ` ${selected}` : ''}: no package${range ? ` matches --ver ${range}` : ' yet'}`, {
      hint: range ? 'npx gulp pack:list shows the versions packed (a pre-release matches only a range that names it)' : 'pack first: npx gulp pack:providers',
    });
  }
  const problems: Problem[] = own.flatMap((m) => m.problems);
  const nickel = findBinary(config.nickel.bin, { cwd: config.root });
  const work = await mkdtemp(path.join(os.tmpdir(), 'provisioning-pack-test-'));
  const forget = onInterrupt(() => rmSync(work, { recursive: true, force: true }));
  try {
    let done = 0;
    const settled = await settleEach(chosen, concurrency, async (pack, i) => {
      const tested = await testOne(config, pack, modules, path.join(work, String(i)), nickel);
      onTested?.(tested, ++done, chosen.length);
      return tested;
    });
    const packs = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    for (const p of packs) problems.push(...p.problems);
    const warnings: Problem[] = own.flatMap((m) => m.warnings);
    if (nickel === undefined && packs.some((p) => p.skipped.some((s) => s.startsWith('export: "')))) {
      warnings.push({
        code: 'NICKEL_NOT_FOUND',
        message: `"${config.nickel.bin}" not found: the packs' exports were not compared`,
        hint: 'install nickel (https://nickel-lang.org) or set [nickel] bin',
      });
    }
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
    if (!result.ok) {
      throw new ProblemsError(
        result.problems,
        `pack:test: ${result.problems.length} problem(s): ${result.problems.map((p) => `${p.code}: ${p.message}`).join('; ')}`,
      );
    }
    return result;
  };
  return Object.assign(task, { displayName: 'pack:test' });
}
