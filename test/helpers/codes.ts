import { ProblemsError } from '../../lib/errors.ts';

/**
 * The stable code a promise rejects with (tests assert codes, never wording): a ProblemsError
 * gives its codes sorted and joined with ","; a resolved promise gives "no error".
 */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map((p) => p.code).sort().join(',');
    return (error as { code?: string }).code ?? `uncoded: ${String(error)}`;
  }
  return 'no error';
}

/** {@link codeOf} for a function that throws synchronously. */
export function codeOfSync(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded: ${String(error)}`;
  }
  return 'no error';
}
