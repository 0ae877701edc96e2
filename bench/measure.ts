/**
 * Timing whole processes for the benchmarks: each command paired with its yardstick in the same
 * run, rounds alternating which goes first, medians of the per-round ratios (wall and CPU).
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** `--name VALUE` from the command line, else `fallback`. */
export function option(name: string, fallback: string, args = process.argv.slice(2)): string {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1]!;
}

let work = '';
/** The folder GNU time writes its figures into (a temp folder of the benchmark). */
export function setWork(dir: string): void {
  work = dir;
}

export interface Command {
  label: string;
  argv: string[];
  cwd: string;
  /** Run before each timed run, not timed (delete the output, `sync`). */
  before?: () => void;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export interface Timing {
  wall: number;
  /** user + system CPU of the process and its children (GNU time), when /usr/bin/time exists. */
  cpu: number;
}

/** Wall and CPU time of one whole process, in ms; throws when it fails. */
export function timed(cmd: Command): Timing {
  cmd.before?.();
  const timeFile = path.join(work, 'time.txt');
  const argv = TIME ? [TIME, '-f', '%U %S', '-o', timeFile, ...cmd.argv] : cmd.argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: cmd.cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${cmd.label} failed (exit ${result.status}):\n${result.stderr}`);
  const [user, sys] = TIME ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN];
  return { wall, cpu: (user! + sys!) * 1000 };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface Pair {
  label: string;
  /** Medians, ms. */
  a: number;
  b: number;
  /** Median, min and max of the rounds' A/B wall-time ratios. */
  ratio: number;
  min: number;
  max: number;
  /** Median of the rounds' A/B CPU-time ratios (steadier than wall time on a loaded machine). */
  cpuRatio: number;
  target?: string;
}

/** A and B in turn (one warm-up each, then `rounds` rounds, alternating which goes first). */
export function pair(a: Command, b: Command, target: string | undefined, rounds: number): Pair {
  timed(a);
  timed(b);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let ta: Timing;
    let tb: Timing;
    if (i % 2 === 0) {
      ta = timed(a);
      tb = timed(b);
    } else {
      tb = timed(b);
      ta = timed(a);
    }
    as.push(ta.wall);
    bs.push(tb.wall);
    ratios.push(ta.wall / tb.wall);
    cpuRatios.push(ta.cpu / tb.cpu);
  }
  const result = {
    label: `${a.label} / ${b.label}`,
    a: median(as),
    b: median(bs),
    ratio: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    cpuRatio: median(cpuRatios),
    ...(target ? { target } : {}),
  };
  process.stdout.write(`${row(result)}\n`);
  return result;
}

export const row = (p: Pair) =>
  `${p.label.padEnd(64)} ${p.a.toFixed(0).padStart(6)} ms ${p.b.toFixed(0).padStart(6)} ms  ${p.ratio.toFixed(2)}x (${p.min.toFixed(2)}-${p.max.toFixed(2)})  cpu ${
    p.cpuRatio.toFixed(2)
  }x${p.target ? `  target ${p.target}` : ''}`;
export const loadavg = () => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'unknown');
