/**
 * Running the Nickel CLI as the SPEC says: `<bin> export --format json ./<file>`, in the
 * module's folder, stdin closed, stdout must be JSON, a failure carries nickel's own stderr.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ProvisioningError } from '../errors.ts';
import { onInterrupt } from '../fs/interrupt.ts';

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

/**
 * The file as nickel's argument: `./<file>`, so a file named `--output=x.ncl` or `-I…` is read as
 * a file, never as an option. (The real CLI is clap-based and also takes `--` as the end of
 * options, but `./file` means the same to every version and to any stand-in.)
 */
export function fileArgument(file: string): string {
  return path.isAbsolute(file) || file.startsWith('./') ? file : `./${file}`;
}

const MAX_OUTPUT = 256 * 1024 * 1024;

/** Runs one export; resolves with the JSON bytes nickel printed. */
export function nickelExportFile({ bin, cwd, file, label = path.basename(cwd) }: NickelExportRun): Promise<Buffer> {
  const arg = fileArgument(file);
  const shown = `${bin} export --format json ${arg}`;
  return new Promise((resolve, reject) => {
    // stdin is closed: nickel reads stdin when it gets no file, and must never wait on it.
    const child = spawn(bin, ['export', '--format', 'json', arg], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // Interrupted: the export goes with us (a terminal's Ctrl-C reaches it anyway; a kill does not).
    const forget = onInterrupt(() => child.kill());
    child.on('close', forget);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failure: string | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        failure ??= `printed more than ${MAX_OUTPUT} bytes`;
        child.kill();
      } else out.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new ProvisioningError('NICKEL_NOT_FOUND', `Cannot run "${bin}" to export ${file} of ${label}: not found`, {
            hint: 'install nickel (https://nickel-lang.org), set [nickel] bin, or set [nickel] export = "off"',
          }),
        );
      } else {
        reject(new ProvisioningError('EXPORT_FAILED', `Cannot export "${file}" of ${label}: \`${shown}\` failed (${error.code ?? error.message})`, { file: path.join(cwd, file) }));
      }
    });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trimEnd();
      if (failure !== undefined || code !== 0) {
        const how = failure ?? (code !== null ? `exited with code ${code}` : `failed (${signal})`);
        return reject(
          new ProvisioningError('EXPORT_FAILED', `Cannot export "${file}" of ${label}: \`${shown}\` ${how}${stderr ? `\n${stderr}` : ''}`, {
            file: path.join(cwd, file),
          }),
        );
      }
      const stdout = Buffer.concat(out);
      try {
        JSON.parse(stdout.toString('utf8'));
      } catch (parseError) {
        return reject(
          new ProvisioningError('EXPORT_FAILED', `Cannot export "${file}" of ${label}: \`${shown}\` printed no valid JSON (${(parseError as Error).message})`, {
            file: path.join(cwd, file),
          }),
        );
      }
      resolve(stdout);
    });
  });
}
