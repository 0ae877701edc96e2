/**
 * Registers the toolkit's tasks. Composition only: each task lives in tasks/<group>.ts,
 * and everything it does lives in lib/.
 */
import gulp from 'gulp';
import { tasks as demo } from './tasks/demo.ts';
import { tasks as doctor } from './tasks/doctor.ts';
import { tasks as pack } from './tasks/pack.ts';
import { tasks as production } from './tasks/production.ts';
import { tasks as providers } from './tasks/providers.ts';
import { tasks as watch } from './tasks/watch.ts';

for (const t of [...providers, ...pack, ...production, ...watch, ...doctor, ...demo]) gulp.task(t.displayName, t);
