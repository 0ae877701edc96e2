import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../helpers/testdir.ts';

/**
 * A long-running subprocess whose output is read while it runs (test/helpers/run.ts waits for
 * the end). `waitFor` polls the collected output against a generous failure deadline: it says
 * "this never came", it does not time anything.
 */
export interface Streaming {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /**
   * Waits until `pattern` appears in the stream after character `from`; resolves with the
   * offset just after the match, so the next wait starts there.
   */
  waitFor(pattern: RegExp, options?: { from?: number; stream?: 'stdout' | 'stderr'; deadlineMs?: number }): Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnStreaming(cmd: string, args: readonly string[], { cwd = PROJECT_ROOT, env = {} }: { cwd?: string; env?: Record<string, string> } = {}): Streaming {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', PROVISIONING: '', PROVISIONING_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  let ended = false;
  void exited.then(() => (ended = true));

  const waitFor: Streaming['waitFor'] = async (pattern, { from = 0, stream = 'stdout', deadlineMs = 20_000 } = {}) => {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const text = (stream === 'stdout' ? out : err).slice(from);
      const match = pattern.exec(text);
      if (match) return from + match.index + match[0].length;
      if (ended || Date.now() > deadline) {
        throw new Error(`${ended ? 'process ended' : `no match within ${deadlineMs} ms`} waiting for ${pattern} on ${stream}\n--- stdout\n${out}\n--- stderr\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, stdout: () => out, stderr: () => err, exited, waitFor, kill };

  function kill(signal: NodeJS.Signals = 'SIGINT'): void {
    // process.kill, not child.kill: Deno's child_process reports a child it sent a signal to as
    // killed by that signal even when the child handled it and exited 0.
    if (ended || child.pid === undefined) return;
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

const GULP = path.join(PROJECT_ROOT, 'node_modules', 'gulp-cli', 'bin', 'gulp.js');
const DENO = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'deno');

/** `npx gulp <args>` under Node, or tools/gulp-deno.ts under Deno, left running. */
export function gulpStreaming(runtime: 'node' | 'deno', args: readonly string[]): Streaming {
  return runtime === 'node'
    ? spawnStreaming(process.execPath.includes('deno') ? 'node' : process.execPath, [GULP, ...args])
    : spawnStreaming(DENO, ['run', '-A', path.join(PROJECT_ROOT, 'tools', 'gulp-deno.ts'), ...args]);
}
