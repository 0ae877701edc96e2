/**
 * Mistakes in the command line itself, found before any task runs. They print like a task's
 * problems (`error CODE: message` + hint) but exit 2, the usual code for a usage error, so a
 * script can tell "you typed it wrong" (2) from "the task failed" (1).
 */
export type CliErrorCode = 'UNKNOWN_COMMAND' | 'USAGE' | 'COMMAND_UNAVAILABLE';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly hint?: string,
    /** 2 for a usage error, 1 for a command this build does not have yet. */
    readonly exitCode = code === 'COMMAND_UNAVAILABLE' ? 1 : 2,
  ) {
    super(message);
  }
}
