import path from 'node:path';
import type { Config } from '../config/types.ts';
import { listInfras } from '../tree/infras.ts';
import { validateInfras } from '../infra/validate.ts';
import { classify, infrasUsing } from './affected.ts';
import { type ExportProvider, settle, type ValidateInfra, type WatchResult } from './check.ts';
import { type FileWatcher, isJunk, watchDir } from './watcher.ts';

const validateOne: ValidateInfra = async (config, infra) => {
  const { errors, warnings } = await validateInfras({ config, infra });
  return { errors, warnings };
};

export interface WatchProvidersOptions {
  /** The effective configuration (its `paths.providers` and `paths.infra` are watched). */
  config: Config;
  /** Only this infra: changes to providers it does not use are ignored. Default: every infra. */
  infra?: string | undefined;
  /** Quiet time after the last change before a run starts, in ms. Default: 100. */
  debounceMs?: number;
  /** Re-validates one infra. Default: the module-loader's `validateInfras` for that infra. */
  validate?: ValidateInfra;
  /** Re-exports a changed provider (when nickel is available). Default: none. */
  exportProvider?: ExportProvider | undefined;
  /** Gets each run's results, one per infra re-validated. */
  onResult(result: WatchResult): void;
  /** A run failed for a reason that is not a coded problem (a bug, a vanished root). Watching goes on. */
  onError?(error: unknown): void;
  /** Aborting closes the watchers, like `close()`. */
  signal?: AbortSignal | undefined;
}

export interface WatchHandle {
  /** Stops watching; resolves once a run in progress has finished. */
  close(): Promise<void>;
  /** Resolves once every watcher is in place: changes from then on are seen. */
  readonly ready: Promise<void>;
  /** Resolves when the watch has been closed (by close() or the signal). */
  readonly closed: Promise<void>;
}

/**
 * Watches provider sources and infra manifests. Changes are coalesced per provider and per infra
 * until `debounceMs` of quiet; then each infra concerned is re-validated (and each changed
 * provider re-exported) and reported through `onResult`. Runs never overlap: changes made during
 * a run wait for the next one. A failing run is reported, never fatal.
 */
export function watchProviders({
  config,
  infra: only,
  debounceMs = 100,
  validate = validateOne,
  exportProvider,
  onResult,
  onError = () => {},
  signal,
}: WatchProvidersOptions): WatchHandle {
  if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new TypeError(`The "debounceMs" option must be a number >= 0: ${debounceMs}`);
  const pending = { providers: new Set<string>(), infras: new Set<string>() };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const changed = (file: string) => {
    if (stopped || isJunk(file)) return;
    const change = classify(config, file);
    if (!change) return;
    if ('provider' in change) pending.providers.add(change.provider);
    else if (only === undefined || change.infra === only) pending.infras.add(change.infra);
    else return;
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const flush = () => {
    timer = undefined;
    if (stopped || running) return; // the running one flushes again when it ends
    if (pending.providers.size === 0 && pending.infras.size === 0) return;
    const providers = [...pending.providers].sort();
    const infras = new Set(pending.infras);
    pending.providers.clear();
    pending.infras.clear();
    running = runOnce(providers, infras)
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (!stopped && (pending.providers.size > 0 || pending.infras.size > 0) && timer === undefined) flush();
      });
  };

  const runOnce = async (providers: string[], manifestsChanged: Set<string>) => {
    const started = performance.now();
    // Which infras each changed provider reaches; an infra whose manifests changed is checked too.
    const byInfra = new Map<string, Set<string>>([...manifestsChanged].map((i) => [i, new Set<string>()]));
    const exports = new Map<string, Awaited<ReturnType<ExportProvider>>>();
    await Promise.all(
      providers.map(async (provider) => {
        const [infras, exported] = await Promise.all([
          infrasUsing(config, provider, only),
          exportProvider ? settle(() => exportProvider(config, provider)) : undefined,
        ]);
        if (exported) exports.set(provider, exported);
        for (const infra of infras) (byInfra.get(infra) ?? byInfra.set(infra, new Set()).get(infra)!).add(provider);
        if (infras.length === 0 && only === undefined) byInfra.set(`\0${provider}`, new Set([provider]));
      }),
    );
    const known = new Set((await listInfras(config)).map((i) => i.name));
    const results = await Promise.all(
      [...byInfra].sort(([a], [b]) => a.localeCompare(b)).map(async ([key, via]): Promise<WatchResult> => {
        const names = [...via].sort();
        const fromExports = names.map((p) => exports.get(p) ?? { errors: [], warnings: [] });
        const infraName = key.startsWith('\0') ? undefined : key;
        // An infra folder that went away is not a problem to report on every save.
        const checked = infraName && known.has(infraName) ? await settle(() => validate(config, infraName)) : { errors: [], warnings: [] };
        return {
          ...(infraName ? { infra: infraName } : {}),
          providers: names,
          errors: [...checked.errors, ...fromExports.flatMap((c) => c.errors)],
          warnings: [...checked.warnings, ...fromExports.flatMap((c) => c.warnings)],
          ms: Math.round(performance.now() - started),
        };
      }),
    );
    for (const result of results) if (!stopped) onResult(result);
  };

  const watchers: FileWatcher[] = [
    watchDir(config.paths.providers, { recursive: true, onChange: changed, onError }),
    // Infra manifests sit directly in <infra>/: one plain watcher per infra, plus one on the
    // infra folder for infras that appear. Not recursive: it would walk .nickel-modules links
    // back into the providers and every vendored tree.
    watchDir(config.paths.infra, { onChange: (file) => (addInfra(file), changed(file)), onError }),
  ];
  const perInfra = new Map<string, FileWatcher>();
  const addInfra = (dir: string) => {
    const name = path.basename(dir);
    if (stopped || perInfra.has(name) || path.dirname(dir) !== config.paths.infra) return;
    // An infra folder that goes away takes its watcher with it; it is watched again if it returns.
    perInfra.set(name, watchDir(dir, { onChange: changed, onError: () => (perInfra.get(name)?.close(), perInfra.delete(name)) }));
  };
  const ready = listInfras(config)
    .then((infras) => infras.forEach((i) => addInfra(i.dir)))
    .then(() => Promise.all([...watchers, ...perInfra.values()].map((w) => w.ready)))
    .then(() => {}, onError);

  const close = async () => {
    if (!stopped) {
      stopped = true;
      clearTimeout(timer);
      for (const w of [...watchers, ...perInfra.values()]) w.close();
      signal?.removeEventListener('abort', onAbort);
    }
    await running;
    markClosed();
  };
  const onAbort = () => void close();
  if (signal?.aborted) void close();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return { close, closed, ready };
}
