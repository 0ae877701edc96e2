#!/usr/bin/env node
// Node cannot run a .ts bin. The JavaScript build of the sources (tools/build.mjs; rebuilt first
// whenever a source changed, see tools/start.mjs) starts fast; without one (the build failed, or
// PROVISIONING_NO_BUILD=1) the TypeScript entry runs through tsx's hooks. No node flags either way.
import { builtEntry, registerTsx } from '../tools/start.mjs';

const built = builtEntry('provisioning');
if (built) {
  await import(built);
} else {
  registerTsx();
  await import('./provisioning.ts');
}
