#!/usr/bin/env node
// Node cannot run a .ts bin. The JavaScript build of the sources (tools/build.mjs; rebuilt first
// whenever a source changed, see tools/start.mjs) starts fast; without one (the build failed, or
// PROVISIONING_NO_BUILD=1) the TypeScript entry runs through tsx's hooks. No node flags either way.
import { ensureBuild, registerTsx } from '../tools/start.mjs';
import { loadTasks } from '../tools/lazy-task.mjs';

const dir = ensureBuild();
if (dir) {
  process.exitCode = await loadTasks(dir).cli.provisioning(process.argv.slice(2));
} else {
  registerTsx();
  await import('./provisioning.ts');
}
