/**
 * Whether a pack runs `nickel export`, from `[nickel] export = auto | required | off`.
 */
import type { Language } from '../config/types.ts';
import { type Problem, ProvisioningError } from '../errors.ts';
import { findBinary } from './nickel.ts';

export type ExportMode = 'auto' | 'required' | 'off';

export interface ExportPlan {
  /** The binary's absolute path when exporting; undefined for sources only. */
  bin?: string | undefined;
  /** What the metadata's `exported` says. */
  exported: boolean;
  /** Set when `auto` found no binary (NICKEL_NOT_FOUND, as a warning): tell the user once, not per provider. */
  warning?: Problem;
}

export interface ExportPlanOptions {
  /** `[nickel] bin`. Default `"nickel"`. */
  bin?: string;
  /** `[nickel] export`. Default `"auto"`. */
  mode?: ExportMode;
  /** The module's language: KCL modules are never exported. Default `"nickel"`. */
  language?: Language;
  /** Folder a relative `bin` path is resolved from (the provisioning root). Default `process.cwd()`. */
  cwd?: string;
}

export function exportPlan({ bin = 'nickel', mode = 'auto', language = 'nickel', cwd = process.cwd() }: ExportPlanOptions = {}): ExportPlan {
  if (language !== 'nickel' || mode === 'off') return { exported: false };
  const found = findBinary(bin, { cwd });
  if (found) return { bin: found, exported: true };
  if (mode === 'required') {
    throw new ProvisioningError('NICKEL_NOT_FOUND', `Cannot export Nickel files: "${bin}" is not an executable on PATH`, {
      hint: 'install nickel (https://nickel-lang.org), set [nickel] bin to its path, or set [nickel] export = "auto" or "off"',
    });
  }
  return {
    exported: false,
    warning: {
      code: 'NICKEL_NOT_FOUND',
      message: `"${bin}" not found: packing Nickel sources only, without export/*.json ("exported": false)`,
      hint: 'install nickel (https://nickel-lang.org) or set [nickel] bin to export; set [nickel] export = "off" to silence this',
    },
  };
}
