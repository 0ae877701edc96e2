// gulp-cli reads this config file before it looks for a loader for gulpfile.ts. tools/start.mjs
// serves gulpfile.ts from the JavaScript build of the sources (rebuilt first whenever a source
// changed; tools/build.mjs), or runs it through tsx when there is no build: plain `npx gulp`
// needs no node flags either way. An ES module (package.json "type": "module"), so gulp-cli
// loads it with no loader of its own and prints no "Loaded external module" line.
import { serveGulpfile } from './tools/start.mjs';

serveGulpfile();

export default {};
