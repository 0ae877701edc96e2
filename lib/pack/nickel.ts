/**
 * Running the Nickel CLI exactly as the SPEC says: `<bin> export --format json <file>`, in the
 * module's folder, stdout must be JSON, a failure carries nickel's own stderr.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';

/**
 * The binary's absolute path, or undefined when it cannot be run: a name is looked up on
 * `PATH` (as a shell would), a path with a `/` is taken as given, relative to `cwd`.
 */
export function findBinary(bin: string, { env = process.env, cwd = process.cwd() } = {}): string | undefined {
  const candidates = bin.includes('/') || bin.includes(path.sep)
    ? [path.resolve(cwd, bin)]
    : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, bin));
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here, or not executable: try the next
    }
  }
  return undefined;
}

export interface NickelExportRun {
  /** The nickel binary (a path or a name on PATH). Required. */
  bin: string;
  /** The folder it runs in: the module's language folder. Required. */
  cwd: string;
  /** The file to export, relative to `cwd`. Required. */
  file: string;
  /** Shown in messages, e.g. `aws_prov`. Default: the folder's name. */
  label?: string;
}

/** Runs one export; resolves with the JSON bytes nickel printed. */
export function nickelExportFile({ bin, cwd, file, label = path.basename(cwd) }: NickelExportRun): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['export', '--format', 'json', file], { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const shown = `${bin} export --format json ${file}`;
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT' && typeof error.code !== 'number') {
        return reject(new ProvisioningError('NICKEL_NOT_FOUND', `Cannot run "${bin}" to export ${file} of ${label}: not found`, {
          hint: 'install nickel (https://nickel-lang.org), set [nickel] bin, or set [nickel] export = "off"',
        }));
      }
      const err = stderr.toString('utf8').trimEnd();
      if (error) {
        const how = typeof error.code === 'number' ? `exited with code ${error.code}` : `failed (${error.signal ?? error.message})`;
        return reject(new ProvisioningError('EXPORT_FAILED', `Cannot export "${file}" of ${label}: \`${shown}\` ${how}${err ? `\n${err}` : ''}`, {
          file: path.join(cwd, file),
        }));
      }
      try {
        JSON.parse(stdout.toString('utf8'));
      } catch (parseError) {
        return reject(new ProvisioningError('EXPORT_FAILED', `Cannot export "${file}" of ${label}: \`${shown}\` printed no valid JSON (${(parseError as Error).message})`, {
          file: path.join(cwd, file),
        }));
      }
      resolve(stdout);
    });
  });
}
