/**
 * Hostile packs, one per attack, each named after what it guards against. Every case must be
 * refused with its code, leave `dest` absent, leave no temp folder, and leave every byte of
 * the surrounding tree (including the `victim` file an escape would hit) exactly as it was.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { extractPack, type ExtractPackOptions } from '../../lib/archive/index.ts';
import { ProvisioningError } from '../../lib/errors.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { testdir } from '../helpers/testdir.ts';
import { concat, type CraftEntry, craftTar, header, packEntries, paxBody, sha256 } from '../helpers/craft-tar.ts';

const M = 'aws_prov';
/** From `<root>/infra/vendor/.aws_prov.extract-X/aws_prov/`, this climbs back to `<root>/`. */
const UP = '../../../../';

interface Case {
  name: string;
  code: 'UNSAFE_ARCHIVE_ENTRY' | 'INTEGRITY_MISMATCH';
  /** Tar bytes, or entries; `root` is the test's temp folder (for absolute-path attacks). */
  tar: (root: string) => CraftEntry[] | Uint8Array;
  options?: Partial<ExtractPackOptions>;
}

const honest = packEntries();

const cases: Case[] = [
  { name: '"../" traversal out of the module folder', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/${UP}victim`, data: 'pwned' }] },
  { name: '"../" traversal hidden mid-path (a/../../..)', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/lib/../${UP}victim`, data: 'pwned' }] },
  { name: 'absolute path', code: 'UNSAFE_ARCHIVE_ENTRY', tar: (root) => [...honest, { path: path.join(root, 'victim'), data: 'pwned' }] },
  { name: 'Windows drive-absolute path', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: 'C:/victim', data: 'pwned' }] },
  { name: 'backslash separators (..\\ on Windows)', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}\\..\\..\\victim`, data: 'pwned' }] },
  { name: 'symlink escaping to a file outside', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/link`, type: '2', linkpath: `${UP}victim` }] },
  { name: 'symlink with an absolute target', code: 'UNSAFE_ARCHIVE_ENTRY', tar: (root) => [...honest, { path: `${M}/link`, type: '2', linkpath: path.join(root, 'victim') }] },
  { name: 'hardlink escaping to a file outside', code: 'UNSAFE_ARCHIVE_ENTRY', tar: (root) => [...honest, { path: `${M}/hard`, type: '1', linkpath: path.join(root, 'victim') }] },
  { name: 'hardlink to an entry inside (aliases two paths)', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/hard`, type: '1', linkpath: `${M}/main.ncl` }] },
  {
    name: 'symlink to a folder outside, then a write through it',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: (root) => [...honest, { path: `${M}/out`, type: '2', linkpath: path.join(root, 'outside') }, { path: `${M}/out/planted`, data: 'pwned' }],
  },
  { name: 'character device', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/tty`, type: '3' }] },
  { name: 'block device', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/sda`, type: '4' }] },
  { name: 'FIFO', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/pipe`, type: '6' }] },
  { name: 'unknown entry type (GNU sparse)', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/sparse`, type: 'S' }] },
  { name: 'duplicate entry overwriting a checked file', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/main.ncl`, data: '{ a = "evil" }\n' }] },
  { name: 'duplicate spelled differently (a//b, ./a)', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `./${M}//lib/./util.ncl`, data: 'evil' }] },
  { name: 'entry below a file (file replaced by a folder)', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/main.ncl/x`, data: 'evil' }] },
  { name: 'entry outside <module>/', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: 'other_prov/x.ncl', data: 'x' }] },
  { name: 'sibling folder sharing the module name as a prefix', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}x/x.ncl`, data: 'x' }] },
  { name: 'bare file at the top level', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: 'victim', data: 'pwned' }] },
  {
    name: 'PAX path override escaping (innocent ustar name)',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => [...honest, { path: `${M}/innocent.ncl`, pax: { path: `${M}/${UP}victim` }, data: 'pwned' }],
  },
  {
    name: 'PAX path override to an absolute path',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: (root) => [...honest, { path: `${M}/innocent.ncl`, pax: { path: path.join(root, 'victim') }, data: 'pwned' }],
  },
  {
    name: 'PAX linkpath on a symlink disguised by an innocent name',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => [...honest, { path: `${M}/link`, type: '2', pax: { linkpath: `${UP}victim` } }],
  },
  {
    name: 'PAX global header retargeting every entry',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => {
      const body = paxBody({ path: `${M}/${UP}victim` });
      const block = new Uint8Array(512);
      block.set(body);
      return concat(header({ path: 'pax_global_header', type: 'g', size: body.length }), block, craftTar(honest));
    },
  },
  {
    name: 'GNU longname (type L) escaping',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => [...honest, { path: `${M}/short.ncl`, gnuLongName: `${M}/${'deep/'.repeat(30)}${'../'.repeat(30)}${UP}victim`, data: 'pwned' }],
  },
  {
    name: 'ustar prefix field escaping',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => [...honest, { path: 'victim', prefix: `${M}/${UP.slice(0, -1)}`, data: 'pwned' }],
  },
  {
    name: 'size bomb: a header claiming 8 GiB',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => [...honest, { path: `${M}/bomb.bin`, size: 8 * 1024 ** 3 - 1, data: 'tiny' }],
  },
  {
    name: 'size bomb: base-256 size field claiming 1 PiB',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => [...honest, { path: `${M}/bomb.bin`, size: 1024 ** 5, data: 'tiny' }],
  },
  {
    name: 'size bomb: many files together past maxBytes',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => packEntries({ files: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`blob${i}.bin`, 'x'.repeat(1000)])) }),
    options: { maxBytes: 5000 },
  },
  {
    name: 'too many entries',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => packEntries({ files: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.ncl`, `${i}`])) }),
    options: { maxEntries: 20 },
  },
  { name: 'folder entry carrying hidden data', code: 'UNSAFE_ARCHIVE_ENTRY', tar: () => [...honest, { path: `${M}/stash/`, data: 'payload' }] },
  {
    name: 'truncated archive (data shorter than the header claims)',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => craftTar([...honest, { path: `${M}/cut.ncl`, size: 4096, data: 'short' }], { end: false }),
  },
  {
    name: 'corrupted header (bad checksum)',
    code: 'UNSAFE_ARCHIVE_ENTRY',
    tar: () => {
      const bytes = craftTar(honest);
      bytes[0] = 'b'.charCodeAt(0); // first header's name changes, its checksum does not
      return bytes;
    },
  },
  {
    name: 'PACK.json digest disagreeing with a file',
    code: 'INTEGRITY_MISMATCH',
    tar: () =>
      packEntries({ manifestFiles: { 'manifest.toml': sha256('[package]\nname = "aws"\n'), 'main.ncl': sha256('something else'), 'lib/util.ncl': sha256('{ b = 2 }\n') } }),
  },
  {
    name: 'PACK.json missing a file (a file smuggled in)',
    code: 'INTEGRITY_MISMATCH',
    tar: () => packEntries({ extra: [{ path: `${M}/smuggled.ncl`, data: 'import "evil"' }] }),
  },
  {
    name: 'PACK.json listing a file the pack lacks',
    code: 'INTEGRITY_MISMATCH',
    tar: () =>
      packEntries({
        manifestFiles: { 'manifest.toml': sha256('[package]\nname = "aws"\n'), 'main.ncl': sha256('{ a = 1 }\n'), 'lib/util.ncl': sha256('{ b = 2 }\n'), 'gone.ncl': sha256('x') },
      }),
  },
  { name: 'PACK.json absent', code: 'INTEGRITY_MISMATCH', tar: () => packEntries().filter((e) => !e.path.endsWith('PACK.json')) },
  { name: 'PACK.json not JSON', code: 'INTEGRITY_MISMATCH', tar: () => packEntries({ manifestText: '{ nope' }) },
  { name: 'PACK.json with a malformed digest', code: 'INTEGRITY_MISMATCH', tar: () => packEntries({ manifestFiles: { 'main.ncl': 'sha256-abc' } }) },
];

const hostile = suite('archive: hostile packs are refused');
for (const c of cases) {
  hostile(c.name, async () => {
    const root = await testdir({ victim: 'original\n', 'outside/.keep': '', 'infra/vendor/.keep': '' });
    const built = c.tar(root);
    const tarFile = path.join(root, 'pack.tar');
    await writeFile(tarFile, built instanceof Uint8Array ? built : craftTar(built));
    const before = await snapshot(root);
    const dest = path.join(root, 'infra', 'vendor', M);
    let code: string | undefined;
    try {
      await extractPack({ tarFile, module: M, dest, ...c.options });
    } catch (error) {
      code = error instanceof ProvisioningError ? error.code : `not coded: ${String(error)}`;
      // SHOW_REFUSALS=1 prints each refusal, to check it was refused for the reason the case is named after.
      if (process.env.SHOW_REFUSALS) console.log(`${c.name}\n    → ${code}: ${(error as Error).message}`);
    }
    assert.is(code, c.code);
    // dest absent, no temp folder left, victim untouched, nothing created anywhere.
    assert.equal(await snapshot(root), before);
  });
}
hostile('the table covers at least 12 attacks', () => {
  assert.ok(cases.length >= 12);
});
hostile.run();
