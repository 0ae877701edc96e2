/**
 * `doctor`: the seed's troubleshooting checklist (lib/doctor), each problem with the command
 * that fixes it. A thin adapter: it reads --base, prints the report, fails when a check failed.
 */
import { type Check, runDoctor } from '../lib/doctor/checks.ts';
import { ProblemsError } from '../lib/errors.ts';
import { green, red, yellow } from '../lib/output/style.ts';
import { defineTask, FORMAT_FLAG, type GulpTask, ROOT_FLAGS } from './support/task.ts';

const MARK = { ok: () => green('✔', process.stdout), warn: () => yellow('!', process.stdout), fail: () => red('✖', process.stdout) };

function lines(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.check.length));
  return checks.flatMap((c) => [
    `${MARK[c.status]()} ${c.check.padEnd(width)}  ${c.detail}`,
    ...[...c.problems, ...c.warnings].flatMap((p) => [`    ${p.code}: ${p.message}`, ...(p.hint ? [`      fix: ${p.hint}`] : [])]),
  ]).join('\n');
}

export const doctor = defineTask({
  name: 'doctor',
  description: 'Run the troubleshooting checklist: root, config, nickel/kcl, providers, keys, folders, every infra; each problem with its fix',
  flags: { ...ROOT_FLAGS, ...FORMAT_FLAG },
  async run(ctx) {
    const report = await runDoctor({ base: ctx.flags.base as string | undefined, cwd: ctx.cwd });
    ctx.report(report, () => lines(report.checks));
    const problems = report.checks.flatMap((c) => c.problems);
    if (!report.ok) throw new ProblemsError(problems, `${report.checks.filter((c) => c.status === 'fail').length} check(s) failed`);
  },
});

export const tasks: GulpTask[] = [doctor];
