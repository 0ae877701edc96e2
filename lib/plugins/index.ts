/**
 * The gulp plugins, for your own pipelines. None depends on gulp; each is a through2 object
 * stream that emits a PluginError (never throws), passes null files on and keeps Buffers as
 * they are (use `src(glob, { encoding: false })` with gulp 5).
 *
 *   src('**', { cwd: dir, base: dir, encoding: false, dot: true, nodir: true })
 *     .pipe(nickelExport({ bin: 'nickel' }))
 *     .pipe(reproducibleTar({ module: 'aws_prov', version: '0.2.0' }))
 *     .pipe(dest('out'))
 */
export { NICKEL_EXPORT, nickelExport, type NickelExportOptions } from './nickel-export.ts';
export { packJson, REPRODUCIBLE_TAR, reproducibleTar, type ReproducibleTarOptions } from './reproducible-tar.ts';
export { exportPathFor } from '../pack/exports.ts';
