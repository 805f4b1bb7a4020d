/** Exit statuses of the `flow-worker` tool, in one place. */
export const EXIT = {
  ok: 0,
  /** A negative answer: invalid config, configs differ, a record failed, or the command failed. */
  failure: 1,
  /** The command line itself was wrong (unknown option, missing argument), or `diff` could not compare. */
  usage: 2,
} as const;

/** An error the CLI reports as one line on stderr (no stack trace unless `--verbose`). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** A file is not valid JSON; carries the 1-based line and column of the first syntax error. */
export class JsonSyntaxError extends CliError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: not valid JSON: ${detail}`);
  }
}
