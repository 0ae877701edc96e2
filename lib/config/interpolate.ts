import { ProvisioningError } from '../errors.ts';

type Table = Record<string, unknown>;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

function lookup(config: Table, dotted: string): unknown {
  let node: unknown = config;
  for (const part of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in (node as Table))) return undefined;
    node = (node as Table)[part];
  }
  return node;
}

/**
 * Replaces every `{{section.key}}` in string values, recursively (a placeholder may point at a
 * value holding placeholders). An unknown placeholder or a cycle is an error naming the key.
 */
export function interpolate(config: Table, file?: string): Table {
  const resolving = new Set<string>();
  const done = new Map<string, string>();

  function resolveString(value: string, key: string): string {
    return value.replace(PLACEHOLDER, (_, ref: string) => resolveKey(ref, key));
  }

  function resolveKey(ref: string, from: string): string {
    const cached = done.get(ref);
    if (cached !== undefined) return cached;
    if (resolving.has(ref)) {
      throw new ProvisioningError('CONFIG_INVALID', `Cannot interpolate "${from}": placeholder cycle through {{${ref}}}`, file ? { file } : {});
    }
    const raw = lookup(config, ref);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new ProvisioningError('CONFIG_INVALID', `Cannot interpolate "${from}": unknown placeholder {{${ref}}}`, file ? { file } : {});
    }
    resolving.add(ref);
    const value = typeof raw === 'string' ? resolveString(raw, ref) : String(raw);
    resolving.delete(ref);
    done.set(ref, value);
    return value;
  }

  function walk(node: unknown, path: string): unknown {
    if (typeof node === 'string') return resolveString(node, path);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`));
    if (node !== null && typeof node === 'object' && !(node instanceof Date)) {
      const out: Table = {};
      for (const [k, v] of Object.entries(node as Table)) out[k] = walk(v, path ? `${path}.${k}` : k);
      return out;
    }
    return node;
  }

  return walk(config, '') as Table;
}
