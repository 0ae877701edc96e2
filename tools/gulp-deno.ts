/**
 * `npx gulp` for Deno. gulp-cli does not start under Deno (Liftoff cannot read gulp's
 * package.json there), so this runs the same gulpfile.ts on gulp itself (undertaker's registry):
 *
 *   npx deno run -A tools/gulp-deno.ts <task> [more tasks] [flags]
 *   npx deno run -A tools/gulp-deno.ts --tasks
 *
 * Flags after the task names reach the tasks exactly as under gulp-cli; `--silent` hides the
 * start/finish lines, as gulp-cli's does.
 */
import gulp from 'gulp';
import '../gulpfile.ts';
import { closest } from '../lib/did-you-mean.ts';

type Described = { description?: string; flags?: Record<string, string> };

const args = process.argv.slice(2);
const silent = args.includes('--silent');
const names = args.filter((a, i) => !a.startsWith('-') && (i === 0 || !args[i - 1]!.startsWith('-') || args[i - 1]!.includes('=')));
const log = (text: string) => silent || process.stderr.write(text + '\n');

if (args.includes('--tasks') || args.includes('-T') || names.length === 0) {
  for (const name of gulp.tree().nodes as unknown as string[]) {
    const task = (gulp.task(name) as unknown as { unwrap(): Described }).unwrap();
    process.stdout.write(`${name.padEnd(22)} ${task.description ?? ''}\n`);
    for (const [flag, text] of Object.entries(task.flags ?? {})) process.stdout.write(`  ${flag.padEnd(20)} ${text}\n`);
  }
} else {
  const unknown = names.filter((n) => !gulp.task(n));
  if (unknown.length > 0) {
    const near = closest(unknown[0]!, gulp.tree().nodes as unknown as string[]);
    process.stderr.write(`Task never defined: ${unknown.join(', ')}${near ? ` (did you mean ${near}?)` : ''}\n`);
    process.exit(1);
  }
  // gulp-cli logs task errors from this event; without a listener the emitter throws.
  gulp.on('error', () => {});
  const started = Date.now();
  log(`Starting ${names.join(', ')}...`);
  gulp.series(...names)((error?: Error | null) => {
    if (error) {
      log(`'${names.join(', ')}' errored after ${Date.now() - started} ms`);
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    } else {
      log(`Finished ${names.join(', ')} after ${Date.now() - started} ms`);
    }
  });
}
