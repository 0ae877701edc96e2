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
  | 'PACK_IMPORT_ESCAPES'
  | 'NOT_INSTALLED'
  | 'DRIFT'
  | 'VERSION_MISMATCH'
  | 'LOCK_TIMEOUT'
  | 'PACK_EXISTS'
  | 'PACK_NOT_FOUND'
  | 'EXPORT_FAILED'
  | 'EXPORT_MISMATCH'
  | 'NICKEL_NOT_FOUND'
  | 'KCL_NOT_FOUND'
  | 'OUTPUT_UNWRITABLE'
  | 'INTEGRITY_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_MISSING'
  | 'KEY_EXISTS'
  | 'KEY_INVALID'
  | 'UNSAFE_ARCHIVE_ENTRY'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_AUTH'
  | 'LANGUAGE_MISMATCH'
  | 'VENDOR_MODIFIED'
  | 'PRODUCTION_LINK_MODE'
  | 'VERSION_UNPINNED'
  | 'VENDOR_DRIFT'
  | 'VENDORED_IN_USE'
  | 'VERSION_MISSING'
  | 'MODULE_NOT_FOUND'
  | 'IO_ERROR'
  | 'NAME_MISMATCH'
  | 'CLEANUP_FAILED'
  | 'INSECURE_REGISTRY'
  | 'INTERNAL_ERROR'
  | 'INTERRUPTED';

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

/**
 * DRIFT, worded once: something the tool would change or remove is not what it wrote there
 * (a hand-edited dependency line or record, a link pointing elsewhere). `action` reads
 * `install "aws" into "wuji"`; `what` says what was found.
 */
export function drift(action: string, what: string, where: Pick<ErrorDetails, 'file' | 'line'> = {}): ProvisioningError {
  return new ProvisioningError('DRIFT', `Cannot ${action}: ${what}`, {
    ...where,
    hint: 'that is not what providers:install or providers:vendor wrote; check it, then pass --force to replace it',
  });
}

/** What the system's codes mean, as `strerror` says it. */
const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder not empty',
  EBUSY: 'resource busy',
  EMFILE: 'too many open files',
  EXDEV: 'cross-device link',
};

/** System error codes that mean "this cannot be written here" (a full disk, a read-only mount, no permission). */
const WRITE_ERRNOS = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EFBIG',
  'EMFILE',
  'ENFILE',
  'EBUSY',
  'ETXTBSY',
  'EXDEV',
  'ENOTEMPTY',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
]);
// `open` is not among them: it opens for reading too; a caller that was writing says so (`writing`).
const WRITE_CALLS = new Set(['write', 'mkdir', 'mkdtemp', 'rename', 'unlink', 'rmdir', 'rm', 'symlink', 'link', 'chmod', 'copyfile', 'fsync', 'ftruncate', 'utime']);

/**
 * A raw error from the file system (ENOSPC, EACCES, EIO, …) as a coded one, naming the path and
 * the system's code: OUTPUT_UNWRITABLE when a write could not be made (a full disk always is),
 * IO_ERROR for any other system error. A ProvisioningError is returned as it is; anything else
 * (a bug) is INTERNAL_ERROR. `action` says what was being done (`pack aws_prov 0.2.0`); `path`
 * names the file the user knows (the target of a write, not its temp file; a write to an open
 * descriptor carries no path at all); `writing` says the failed call was writing (an `open` for
 * a write, say), so EACCES there is OUTPUT_UNWRITABLE, not IO_ERROR.
 */
export function systemError(error: unknown, action?: string, path?: string, { writing: wrote = false }: { writing?: boolean } = {}): ProvisioningError {
  if (error instanceof ProvisioningError) return error;
  const e = error as NodeJS.ErrnoException | undefined;
  const prefix = action ? `Cannot ${action}: ` : '';
  if (typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) {
    const file = path ?? e.path;
    const where = file ? ` (${file})` : '';
    const writing = e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'EROFS' || (WRITE_ERRNOS.has(e.code) && (wrote || WRITE_CALLS.has(e.syscall ?? '')));
    const what = `${ERRNO_WORDS[e.code] ?? `${e.syscall ?? 'file system'} failed`} (${e.code})`;
    return new ProvisioningError(writing ? 'OUTPUT_UNWRITABLE' : 'IO_ERROR', action ? `${prefix}${what}` : `Cannot ${e.syscall ?? 'use'}${where}: ${what}`, {
      ...(file ? { file } : {}),
      hint: e.code === 'ENOSPC' || e.code === 'EDQUOT'
        ? 'the disk is full: free some space, then run it again (nothing half-written was left)'
        : writing
        ? "check the folder's permissions and that it is not on a read-only mount, then run it again"
        : 'check the file and the disk, then run it again',
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProvisioningError('INTERNAL_ERROR', `${prefix}${message}`, {
    hint: 'this is a bug in provider-distribution; run again with PROVISIONING_DEBUG=1 to see where, and report it',
    cause: error,
  });
}
