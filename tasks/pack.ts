import type { GulpTask } from './support/task.ts';

export const tasks: GulpTask[] = [];
