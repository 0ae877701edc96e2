// gulp-cli reads this config file before it looks for a loader for gulpfile.ts: registering
// tsx here lets plain `npx gulp` load our TypeScript gulpfile (see tools/gulp-preload.mjs).
require('./tools/gulp-preload.mjs');
module.exports = {};
