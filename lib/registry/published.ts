/** What a publish reports, for every kind of registry, and how it refuses. */
import { type Problem, ProblemsError, ProvisioningError } from '../errors.ts';
import type { RegistryIndex } from '../formats/registry-index.ts';

export interface PublishedPack {
  module: string;
  version: string;
  /** Relative to a folder registry; for OCI, `<namespace>/<module>:<tag>@<digest>`. */
  package_file: string;
  status: 'published' | 'unchanged';
  /** The registry holds a verified signature of it. */
  signed: boolean;
}

export interface PublishResult {
  /** The folder, or `oci://HOST/NAMESPACE`. */
  registry: string;
  packs: PublishedPack[];
  /** A folder registry's index.json as written. */
  index?: RegistryIndex;
  /** For people: e.g. a published unsigned version whose local copy is signed now. */
  warnings: Problem[];
}

/**
 * Some packs were published and then others failed (a push refused, a connection gone): what is
 * in the registry now, in `result`, and what failed, in `problems`.
 */
export class PublishIncomplete extends ProblemsError {
  constructor(readonly result: PublishResult, problems: Problem[], total: number) {
    super(problems, `${problems.length} problem(s); ${result.packs.length} of ${total} pack(s) published`);
  }
}

/** Throws the problems, if any: nothing was published. */
export function refuse(problems: readonly Problem[]): void {
  if (problems.length === 1) throw new ProvisioningError(problems[0]!.code, problems[0]!.message, problems[0]!);
  if (problems.length > 1) throw new ProblemsError([...problems], `${problems.length} problem(s); nothing was published`);
}
