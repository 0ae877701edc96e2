import path from 'node:path';
import type { Config } from '../../config/types.ts';
import { ProvisioningError } from '../../errors.ts';
import type { ProviderRecord } from '../../formats/records/index.ts';
import type { Infra } from '../../tree/infras.ts';
import { linkPathOf, linkTargetOf, moduleDirOf, rootRelative } from '../../tree/layout.ts';
import { inspectLink, linksTo } from '../link.ts';
import type { Operation } from './commit.ts';

export interface PlanLinkOptions {
  /** Replace a symlink that points elsewhere. A real file or folder is never replaced. Default false. */
  force?: boolean;
}

/**
 * The operations that make `<infra>/<modules_dir>/<module>` a relative link to the provider's
 * language folder: none when it already is one (idempotent), `LINK_CONFLICT` naming both paths
 * when something else is there (a symlink elsewhere is replaced only with `force`).
 */
export async function planLink(config: Config, infra: Infra, name: string, record: ProviderRecord, { force = false }: PlanLinkOptions = {}): Promise<Operation[]> {
  const linkPath = linkPathOf(config, infra, name, record.language);
  const moduleDir = moduleDirOf(config, name, record.language);
  const target = linkTargetOf(linkPath, moduleDir);
  const state = await inspectLink(linkPath);
  if (linksTo(state, moduleDir)) return [];
  if (state.kind === 'other') {
    throw new ProvisioningError('LINK_CONFLICT', `Cannot link "${rootRelative(config, linkPath)}" -> "${target}": a real ${state.type} is in the way`, {
      hint: 'it was not made by providers:install; move it away yourself',
      file: rootRelative(config, linkPath),
    });
  }
  if (state.kind === 'symlink' && !force) {
    throw new ProvisioningError('LINK_CONFLICT', `Cannot link "${rootRelative(config, linkPath)}" -> "${target}": it already points to "${state.target}"`, {
      hint: 'pass --force to replace that link',
      file: rootRelative(config, linkPath),
    });
  }
  return [
    { kind: 'mkdir', dir: path.dirname(linkPath) },
    state.kind === 'symlink' ? { kind: 'link', path: linkPath, target, replaces: state.target } : { kind: 'link', path: linkPath, target },
  ];
}
