/**
 * What Ctrl-C (SIGINT) or a `kill` (SIGTERM) must not leave behind: a held lock, a temp file or
 * folder, a half-applied infra edit. Whoever makes such a thing registers its undo here for as
 * long as it exists; on the signal every registered undo runs, newest first, and the process
 * exits non-zero (130 for SIGINT, 143 for SIGTERM, as a shell reports them). A second signal
 * while undoing exits at once.
 *
 * The listeners are on the process only while something is registered, so a task that holds
 * nothing keeps the default behaviour; and when someone else listens for the signal too (watch,
 * which stops cleanly on Ctrl-C, or a user's gulpfile), the undos run and the exit is theirs.
 */
type Undo = () => unknown;

const pending = new Set<{ undo: Undo }>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let undoing = false;

function exitCode(signal: (typeof SIGNALS)[number]): number {
  return signal === 'SIGINT' ? 130 : 143;
}

async function onSignal(signal: (typeof SIGNALS)[number]): Promise<void> {
  if (undoing) process.exit(exitCode(signal));
  undoing = true;
  // Counted now: our own listener is one of them.
  const othersListen = process.listenerCount(signal) > 1;
  // Once the signal is here, the exit status is the signal's: gulp-cli's own exit listener sets 1
  // for a task that did not complete, and a task failing because its child was killed below exits
  // 1; this listener, added last, runs last.
  if (!othersListen) process.on('exit', () => void (process.exitCode = exitCode(signal)));
  const all = [...pending].reverse();
  pending.clear();
  for (const { undo } of all) {
    try {
      // Synchronous undos run back to back, with no turn of the event loop between them.
      const done = undo();
      if (done instanceof Promise) await done;
    } catch {
      // keep undoing the rest: releasing most beats releasing none
    }
  }
  undoing = false;
  if (pending.size === 0) detach();
  if (othersListen) return;
  process.stderr.write(`\ninterrupted (${signal}): locks released, temp files removed\n`);
  process.exit(exitCode(signal));
}

const listeners = new Map(SIGNALS.map((s) => [s, () => void onSignal(s)]));

function attach(): void {
  for (const [signal, listener] of listeners) process.on(signal, listener);
}

function detach(): void {
  for (const [signal, listener] of listeners) process.off(signal, listener);
}

/**
 * Registers `undo` to run if the process is interrupted; returns the function that unregisters
 * it (call it once the thing is gone or committed).
 *
 * @example
 *   const forget = onInterrupt(() => rm(tmp, { recursive: true, force: true }));
 *   try { await work(tmp); } finally { forget(); await rm(tmp, { recursive: true, force: true }); }
 */
export function onInterrupt(undo: Undo): () => void {
  const entry = { undo };
  if (pending.size === 0 && !undoing) attach();
  pending.add(entry);
  return () => {
    if (!pending.delete(entry)) return;
    if (pending.size === 0 && !undoing) detach();
  };
}
