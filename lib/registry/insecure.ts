/**
 * INSECURE_REGISTRY, worded once: packs fetched (or pushed) over plain HTTP while
 * `require_signatures` is off, so anyone on the path can swap a pack and its metadata alike.
 */
import type { Problem } from '../errors.ts';

/**
 * The warning for a plain `http:` registry URL while signatures are not required. Undefined for
 * https, folders, `oci://` (see {@link plainOciWarning}), or when `require_signatures` is on
 * (then a swapped pack fails its signature).
 */
export function plainHttpWarning(registry: string | undefined, { requireSignatures }: { requireSignatures: boolean }): Problem | undefined {
  if (registry === undefined || requireSignatures || !/^http:\/\//i.test(registry)) return undefined;
  return {
    code: 'INSECURE_REGISTRY',
    message: `${registry} is plain http: and [distribution.signing] require_signatures is off, so nothing proves the packs came from their publisher`,
    hint: 'use https, or set require_signatures = true',
  };
}

/** `localhost`, `*.localhost`, `127.x.x.x`, `[::1]`, with or without a port: this machine. */
export function isLoopback(host: string): boolean {
  const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')).toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * The warning for an OCI registry spoken to in plain HTTP (`--plain-http`, `plain_http = true`)
 * on a host that is not this machine, while signatures are not required. A registry on loopback
 * (a test or a local mirror) never leaves the machine: no warning.
 */
export function plainOciWarning(
  label: string,
  { host, plainHttp }: { host: string; plainHttp: boolean },
  { requireSignatures }: { requireSignatures: boolean },
): Problem | undefined {
  if (!plainHttp || requireSignatures || isLoopback(host)) return undefined;
  return {
    code: 'INSECURE_REGISTRY',
    message:
      `${label} is spoken to in plain HTTP on another machine, and [distribution.signing] require_signatures is off, so nothing proves the packs came from their publisher (and a login goes in clear text)`,
    hint: 'serve the registry over HTTPS and drop --plain-http / plain_http (ca_file trusts a private CA), or set require_signatures = true',
  };
}
