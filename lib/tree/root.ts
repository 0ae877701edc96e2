import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';

export interface ResolveRootOptions {
  /** `--base DIR`; wins over everything. */
  base?: string | undefined;
  /** Environment to read `PROVISIONING` / `PROVISIONING_CONFIG` from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Fallback folder. Default: `process.cwd()`. */
  cwd?: string;
}

/**
 * The provisioning root: `--base`, else `$PROVISIONING`, else `$PROVISIONING_CONFIG`, else the
 * current folder. It must hold `extensions/providers/`.
 */
export function resolveRoot({ base, env = process.env, cwd = process.cwd() }: ResolveRootOptions = {}): string {
  const [chosen, from] = base
    ? [base, '--base']
    : env.PROVISIONING
    ? [env.PROVISIONING, '$PROVISIONING']
    : env.PROVISIONING_CONFIG
    ? [env.PROVISIONING_CONFIG, '$PROVISIONING_CONFIG']
    : [cwd, 'the current folder'];
  const root = path.resolve(cwd, chosen);
  const providers = path.join(root, 'extensions', 'providers');
  if (!existsSync(providers) || !statSync(providers).isDirectory()) {
    throw new ProvisioningError('ROOT_NOT_FOUND', `Cannot use "${root}" (from ${from}) as provisioning root: it has no extensions/providers/ folder`, {
      hint: 'pass --base DIR or set PROVISIONING to the folder holding extensions/providers/ (try: npx gulp demo)',
      file: root,
    });
  }
  return root;
}
