import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './testdir.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

/** Runs a real subprocess to completion and collects its output. */
export function run(cmd: string, args: readonly string[], { cwd = PROJECT_ROOT, env = {}, input }: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // No input: stdin closed, so a program that could prompt (minisign asks for passwords) never waits.
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // a child that exits before reading its input: EPIPE is not a test failure
      child.stdin.end(input);
    }
  });
}

const GULP = path.join(PROJECT_ROOT, 'node_modules', 'gulp-cli', 'bin', 'gulp.js');

/** `npx gulp <args>` as a user runs it, from the project folder, under Node. */
export function gulp(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('node', [GULP, ...args], { cwd: PROJECT_ROOT, ...options, env: { PROVISIONING: '', PROVISIONING_CONFIG: '', ...options.env } });
}
