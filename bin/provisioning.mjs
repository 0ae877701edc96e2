#!/usr/bin/env node
// Node cannot run a .ts bin: register tsx's ESM and CommonJS hooks (as tools/gulp-preload.mjs
// does for gulp-cli), then load the TypeScript entry. No node flags, no build step.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
registerEsm();
registerCjs();
await import('./provisioning.ts');
