/**
 * The one error type of the toolkit. Every failure carries a stable, capitalised `code`
 * (tests and scripts match on it, never on the wording), an optional `hint` shown to people,
 * and where it applies, the `file` (with `line`/`column`) the problem was found in.
 */
export type ErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_OPTION'
  | 'ROOT_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'PROVIDER_NOT_FOUND'
  | 'INFRA_NOT_FOUND'
  | 'MANIFEST_PARSE'
  | 'MANIFEST_INVALID'
  | 'LINK_CONFLICT'
  | 'LINK_MISSING'
  | 'LINK_DANGLING'
  | 'LINK_OUTSIDE_TREE'
  | 'RECORD_MISMATCH'
  | 'IMPORT_UNRESOLVED'
  | 'NOT_INSTALLED'
  | 'DRIFT'
  | 'VERSION_MISMATCH'
  | 'LOCK_TIMEOUT'
  | 'PACK_EXISTS'
  | 'PACK_NOT_FOUND'
  | 'EXPORT_FAILED'
  | 'NICKEL_NOT_FOUND'
  | 'OUTPUT_UNWRITABLE'
  | 'INTEGRITY_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_MISSING'
  | 'KEY_EXISTS'
  | 'KEY_INVALID'
  | 'UNSAFE_ARCHIVE_ENTRY'
  | 'REGISTRY_ERROR'
  | 'VENDOR_MODIFIED'
  | 'PRODUCTION_LINK_MODE'
  | 'VERSION_UNPINNED'
  | 'VENDOR_DRIFT'
  | 'VENDORED_IN_USE'
  | 'VERSION_MISSING'
  | 'MODULE_NOT_FOUND';

export interface ErrorDetails {
  /** Shown after the message, e.g. `did you mean "upcloud"?` */
  hint?: string;
  /** The file the problem is in (absolute or root-relative). */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `file`. */
  column?: number;
  cause?: unknown;
}

export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.hint !== undefined) this.hint = details.hint;
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
  }

  /** `file:line:column`, or as much of it as is known. */
  get location(): string | undefined {
    if (this.file === undefined) return undefined;
    let loc = this.file;
    if (this.line !== undefined) loc += `:${this.line}`;
    if (this.line !== undefined && this.column !== undefined) loc += `:${this.column}`;
    return loc;
  }

  toJSON(): Problem {
    return toProblem(this);
  }
}

/** A reported problem: what validators return and what `--format json` prints. */
export interface Problem {
  code: ErrorCode;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  column?: number;
}

export function toProblem(error: ProvisioningError): Problem {
  const problem: Problem = { code: error.code, message: error.message };
  if (error.hint !== undefined) problem.hint = error.hint;
  if (error.file !== undefined) problem.file = error.file;
  if (error.line !== undefined) problem.line = error.line;
  if (error.column !== undefined) problem.column = error.column;
  return problem;
}

export function isProvisioningError(value: unknown): value is ProvisioningError {
  return value instanceof ProvisioningError;
}

/** Thrown when a task found several problems at once (validate reports all, not the first). */
export class ProblemsError extends Error {
  override readonly name = 'ProblemsError';
  constructor(
    readonly problems: Problem[],
    message = `${problems.length} problem(s) found`,
    /** The task already printed its full report (with the problems) on stdout. */
    readonly reported = false,
  ) {
    super(message);
  }
}
