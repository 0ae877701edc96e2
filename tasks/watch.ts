/**
 * `watch`: re-validates the infras using a provider whenever its files change. A thin adapter:
 * everything happens in lib/watch; this reads flags, prints one line per result, and turns
 * Ctrl-C into a clean stop (exit code 0, watchers closed).
 */
import { findInfra } from '../lib/tree/infras.ts';
import { exportForWatch } from '../lib/watch/export.ts';
import { formatResult } from '../lib/watch/format.ts';
import { watchProviders } from '../lib/watch/watch-providers.ts';
import { exportPlan } from '../lib/pack/export-plan.ts';
import { isProvisioningError } from '../lib/errors.ts';
import { render } from '../lib/output/format.ts';
import { red } from '../lib/output/style.ts';
import { defineTask, type GulpTask, ROOT_FLAGS } from './support/task.ts';

export const watch = defineTask({
  name: 'watch',
  description: 'Re-validate the infras using a provider whenever its files change (Ctrl-C stops)',
  flags: {
    ...ROOT_FLAGS,
    infra: { type: 'string', description: 'only this infra (default: every infra)' },
    debounce: { type: 'number', description: 'quiet time after a change before re-validating, in ms (default 100)' },
    format: { type: 'string', description: 'table (default), json (one JSON document per line, per result) or yaml (one document each)' },
  },
  async run(ctx) {
    const config = await ctx.config();
    const infra = ctx.flags.infra === undefined ? undefined : (await findInfra(config, ctx.flags.infra)).name;
    const debounceMs = ctx.flags.debounce === undefined ? 100 : Number(ctx.flags.debounce);
    const plan = exportPlan({ bin: config.nickel.bin, mode: config.nickel.export, cwd: config.root });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const handle = watchProviders({
        config,
        infra,
        debounceMs,
        exportProvider: plan.bin ? exportForWatch : undefined,
        // A stream of results: one JSON document per line (JSON Lines), or one YAML document each.
        onResult: (result) => ctx.out(ctx.format === 'json' ? JSON.stringify(result) : ctx.format === 'yaml' ? `---\n${render('yaml', result, () => '')}` : formatResult(result)),
        // A run that broke for an uncoded reason is reported; watching goes on.
        onError: (error) => ctx.info(`${red('error')} ${isProvisioningError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)}`),
        signal: controller.signal,
      });
      await handle.ready;
      const what = infra ? `infra ${infra}` : 'every infra';
      ctx.info(`watching ${config.paths.providers} for ${what} (debounce ${debounceMs} ms${plan.bin ? ', re-exporting Nickel' : ''}); Ctrl-C to stop`);
      if (plan.warning) ctx.info(`note: ${config.nickel.bin} not found, so changed providers are validated but not re-exported`);
      await handle.closed;
      ctx.info('stopped watching');
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
});

export const tasks: GulpTask[] = [watch];
