import type { Language } from '../config/types.ts';
import { ProvisioningError } from '../errors.ts';

/** `--lang`: undefined stays undefined (the caller's default), else `nickel` or `kcl`. */
export function assertLanguage(value: unknown): Language | undefined {
  if (value === undefined) return undefined;
  if (value === 'nickel' || value === 'kcl') return value;
  throw new ProvisioningError('INVALID_OPTION', `Cannot use --lang ${JSON.stringify(value)}: expected nickel or kcl`, {
    hint: 'nickel is the primary language, kcl the legacy one',
  });
}
