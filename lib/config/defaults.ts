import { fileURLToPath } from 'node:url';

/** The defaults file shipped with the toolkit (not the provisioning root's). */
export const DEFAULTS_FILE = fileURLToPath(new URL('../../config/config.defaults.toml', import.meta.url));
