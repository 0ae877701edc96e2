// gulp-cli finds gulpfile.ts through Liftoff, which only tries CommonJS require hooks
// (ts-node, esbuild-register, ...). `.gulp.js` (ours) or `.gulp.cjs` (yours) imports this file first. We register tsx's
// ESM loader (gulp-cli falls back to import() for ES modules) and its require hook (so `.ts`
// is a known extension and Liftoff stops hunting for loaders we do not use). The user needs
// no node flags and no extra loader package.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
registerEsm();
registerCjs();
