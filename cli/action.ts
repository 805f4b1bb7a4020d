import type { Command } from 'commander';
import { ConfigValidationError } from '@flow-worker/runtime';
import { CliError, EXIT } from './errors.js';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  readonly verbose?: boolean;
}

function causes(error: unknown): string[] {
  const lines: string[] = [];
  let cause = (error as { cause?: unknown }).cause;
  while (cause !== undefined && lines.length < 5) {
    lines.push(cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause));
    cause = (cause as { cause?: unknown }).cause;
  }
  return lines;
}

/** Prints an error as the user should see it: one message, the stack only with `--verbose`. */
export function reportError(error: unknown, verbose: boolean): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`flow-worker: error: ${message}\n`);
  if (verbose && error instanceof Error) {
    process.stderr.write(`${error.stack ?? ''}\n`);
    for (const cause of causes(error)) process.stderr.write(`caused by: ${cause}\n`);
  } else if (!(error instanceof CliError) && !(error instanceof ConfigValidationError)) {
    process.stderr.write('(run with --verbose for the stack trace)\n');
  }
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}

/**
 * Wraps a command's action: its resolved number is the exit status; any error is printed by
 * {@link reportError}. The last argument commander passes is the command itself.
 */
export function action<Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    const command = args.at(-1) as Command;
    const { verbose } = command.optsWithGlobals<GlobalOptions>();
    try {
      process.exitCode = await run(...args);
    } catch (error) {
      process.exitCode = reportError(error, verbose === true);
    }
  };
}

/** Parses a positive integer option. */
export function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new CliError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}
