/**
 * Colours only for a terminal that wants them: never when piped, under CI, or with NO_COLOR
 * set (https://no-color.org); FORCE_COLOR turns them on anyway.
 */
export function useColour(stream: { isTTY?: boolean } = process.stderr): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && !process.env.CI && process.env.TERM !== 'dumb';
}

const paint = (code: number) => (text: string, stream?: { isTTY?: boolean }) => useColour(stream) ? `\x1b[${code}m${text}\x1b[0m` : text;

export const red = paint(31);
export const yellow = paint(33);
export const green = paint(32);
export const dim = paint(2);
export const bold = paint(1);
