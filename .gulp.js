// gulp-cli reads this config file before it looks for a loader for gulpfile.ts: importing the
// preload here registers tsx, so plain `npx gulp` loads our TypeScript gulpfile with no node
// flags (see tools/gulp-preload.mjs). An ES module (package.json "type": "module"), so
// gulp-cli loads it with no loader of its own and prints no "Loaded external module" line.
import './tools/gulp-preload.mjs';

export default {};
