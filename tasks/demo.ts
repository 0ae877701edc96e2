/**
 * `demo`: the README's main job on the bundled example tree. It works on a fresh temp copy, so
 * the tracked example files never change, and runs the same task definitions a user runs.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bold } from '../lib/output/style.ts';
import { defineTask, DEFINITIONS, type GulpTask, runStep } from './support/task.ts';
// The tasks demo runs, defined (in DEFINITIONS) by importing them: a built gulpfile loads a
// tasks module only when one of its tasks runs (tools/build.mjs).
import './providers.ts';
import './pack.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/provisioning', import.meta.url));

/** The main job, step by step: discover, link into an infra, validate, pack, list. */
const STEPS: [task: string, ...flags: string[]][] = [
  ['providers:list'],
  ['providers:install', '--provider', 'upcloud', '--infra', 'wuji'],
  ['providers:install', '--provider', 'aws', '--infra', 'wuji'],
  ['providers:installed', '--infra', 'wuji'],
  ['providers:validate', '--infra', 'wuji'],
  ['pack:core'],
  ['pack:providers'],
  ['pack:list'],
];

export const demo = defineTask({
  name: 'demo',
  description: 'Run the main job (list, install, validate, pack) on a temp copy of the bundled example tree',
  async run(ctx) {
    const root = await mkdtemp(path.join(tmpdir(), 'provisioning-demo-'));
    await cp(EXAMPLE, root, { recursive: true });
    ctx.info(`Example tree copied to ${root}`);
    // One document for the whole run: each step's result, in the format asked for.
    const steps: { command: string; result: unknown }[] = [];
    ctx.report({ root, steps }, () => '');
    for (const [name, ...flags] of STEPS) {
      const command = `npx gulp ${[name, ...flags].join(' ')} --base ${root}`;
      ctx.info(`\n${bold(`$ ${command}`)}`);
      const step = await runStep(DEFINITIONS.get(name)!, [...flags, '--base', root, '--format', ctx.format]);
      steps.push({ command, result: step.data });
      if (ctx.format === 'table' && step.text) ctx.out(step.text);
    }
    ctx.report({ ok: true, root, steps }, () => '');
    ctx.info(`\nDone. Look around: ls -la ${path.join(root, 'workspace/infra/wuji/.nickel-modules')} ${path.join(root, 'distribution/packages')}`);
  },
});

export const tasks: GulpTask[] = [demo];
