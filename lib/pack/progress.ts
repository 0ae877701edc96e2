/**
 * Progress for `pack:providers` on stderr: one line rewritten in place on a terminal, plain
 * lines (one per finished package) when piped or under CI, where `\r` would garble logs.
 */
import type { PackEvent } from './pack-all.ts';

export interface ProgressOptions {
  /** Where to write. Default `process.stderr`. */
  stream?: { isTTY?: boolean; columns?: number; write(text: string): unknown };
  /** Force the terminal style on or off. Default: a TTY and no `CI` variable. */
  live?: boolean;
}

const STATUS: Record<string, string> = { packed: 'packed', replaced: 'replaced', 'up-to-date': 'up to date' };

export function createProgress({ stream = process.stderr, live = Boolean(stream.isTTY) && !process.env.CI }: ProgressOptions = {}) {
  const running = new Set<string>();
  // Plain lines are written together, once per turn of the event loop: a warm run finishes 200
  // packages in a few turns, and 200 separate writes to a pipe cost more than the packing.
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  const line = (text: string) => {
    pending += text;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  let done = 0;
  let total = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  const draw = () => {
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const names = [...running].join(', ');
    stream.write(`\r\x1b[K${`[${done}/${total}] packing ${names}`.slice(0, width)}`);
    shown = true;
  };
  return {
    onEvent(event: PackEvent): void {
      total = event.total;
      if (event.type === 'start') running.add(event.name);
      else {
        running.delete(event.name);
        done = event.done;
      }
      const width = String(total).length;
      const counter = `[${String(done).padStart(width)}/${total}]`;
      if (event.type === 'failed') {
        clear();
        if (live) stream.write(`${counter} ${event.name} failed: ${event.problem.code}\n`);
        else line(`${counter} ${event.name} failed: ${event.problem.code}\n`);
      } else if (event.type === 'done' && !live) {
        line(`${counter} ${event.name} ${event.result.version} ${STATUS[event.result.status]}\n`);
      }
      if (live) draw();
    },
    /** Removes the live line before the summary is printed. */
    end(): void {
      flush();
      if (live) clear();
    },
  };
}
