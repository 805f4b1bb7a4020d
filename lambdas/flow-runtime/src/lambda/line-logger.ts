import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { LOG_LEVELS, type LogLevel } from './environment.js';
import type { LineLevel, LogSink } from './observability.js';

/**
 * The production {@link LogSink}: Powertools' `Logger` for every line but the per-record ones, and
 * a cheap writer for those. Powertools spends about 30 µs building one line (attribute merging, a
 * replacer-driven `JSON.stringify`, one `write` per line) — more than the rest of the record's
 * work. The record lines keep Powertools' shape (the same standard keys, in the same order) but
 * are built from their parts (see `recordLogLineMembers`) and written together at the end of each
 * invocation ({@link LineLogger.flush}). Any other line flushes the waiting record lines first, so
 * stdout keeps the order in which things happened. See docs/handlers.md (logs and metrics).
 */
export interface LineLogger extends LogSink {
  /**
   * Holds a record line: the standard keys, then `members`, the line's own members as JSON text
   * without braces (`"message_id":"m-1","outcome":"succeeded"`; `''` for none).
   */
  writeLine(level: LineLevel, message: string, members: string): void;
  /** Adds a finished, newline-terminated line (the EMF metrics line) to the lines held back. */
  append(line: string): void;
  flush(): void;
  /**
   * Settles once every line flushed so far has reached the output; `undefined` when they all did
   * at once (the usual case). See {@link LineLoggerOptions.write}.
   */
  written(): Promise<void> | undefined;
}

export interface LineLoggerOptions {
  /**
   * Writes a chunk of newline-terminated JSON lines (production: {@link streamWriter} of
   * `process.stdout`). Returns a promise when part of the chunk still waits in memory for the
   * output to take it, settled once it has.
   */
  readonly write: (text: string) => Promise<void> | void;
  /** The `service` key, as the Powertools logger has it. */
  readonly serviceName: string;
  /** The X-Ray trace header of the current invocation (production: `_X_AMZN_TRACE_ID`). */
  readonly traceHeader?: () => string | undefined;
  /** Wall clock for `timestamp`. @default Date.now */
  readonly now?: () => number;
}

/** A level's severity: its place in {@link LOG_LEVELS} (least severe first); INFO's if unknown. */
function rankOf(levelName: string): number {
  const rank = LOG_LEVELS.indexOf(levelName as LogLevel);
  return rank === -1 ? LOG_LEVELS.indexOf('INFO') : rank;
}

const LINE_LEVEL_NAME: Readonly<Record<LineLevel, LogLevel>> = { info: 'INFO', warn: 'WARN' };
const LINE_LEVEL_RANK: Readonly<Record<LineLevel, number>> = { info: rankOf('INFO'), warn: rankOf('WARN') };

/** `Root=1-abc;Parent=…;Sampled=1` → `1-abc`, as Powertools reports `xray_trace_id`. */
export function traceIdOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const root = header.split(';').find((part) => part.startsWith('Root='));
  return root === undefined ? undefined : root.slice('Root='.length);
}

/**
 * The invocation-constant middle of every record line: Powertools' keys after `timestamp`, as a
 * JSON fragment that starts with a comma and ends without one.
 */
function invocationFragment(
  serviceName: string,
  context: Context | undefined,
  coldStart: boolean,
  traceId?: string,
) {
  const keys: Record<string, unknown> = { service: serviceName };
  if (context !== undefined) {
    keys.cold_start = coldStart;
    keys.function_arn = context.invokedFunctionArn;
    keys.function_memory_size = context.memoryLimitInMB;
    keys.function_name = context.functionName;
    keys.function_request_id = context.awsRequestId;
  }
  if (traceId !== undefined) keys.xray_trace_id = traceId;
  return `,${JSON.stringify(keys).slice(1, -1)}`;
}

export function createLineLogger(logger: Logger, options: LineLoggerOptions): LineLogger {
  const now = options.now ?? Date.now;
  let pending: string[] = [];
  let levelName = logger.getLevelName();
  let threshold = rankOf(levelName);
  // Powertools' level changes only through its setLogLevel (a caller's, or its debug sampling's):
  // the level is followed there, not asked for every invocation (which reads the environment,
  // about 2 µs).
  const setLogLevel = logger.setLogLevel.bind(logger);
  logger.setLogLevel = (level) => {
    setLogLevel(level);
    levelName = logger.getLevelName();
    threshold = rankOf(levelName);
  };
  // What follows a line's timestamp: the invocation's standard keys.
  let afterStamp = `"${invocationFragment(options.serviceName, undefined, false)}`;
  let invocations = 0;
  // Records of a batch mostly settle within the same millisecond: format each one once.
  let stampedMs = Number.NaN;
  let stamp = '';
  const timestamp = () => {
    const ms = now();
    if (ms !== stampedMs) {
      stampedMs = ms;
      stamp = new Date(ms).toISOString();
    }
    return stamp;
  };

  // Record lines mostly share one level and message: their opening is written once.
  let openingLevel: LineLevel | undefined;
  let openingMessage = '';
  let opening = '';

  // The last chunk that did not reach the output at once, until it has (chunks are written in order).
  let unwritten: Promise<void> | undefined;
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    const writing = options.write(text);
    if (!(writing instanceof Promise)) return;
    // Settled either way: a writer that fails must not fail the invocation that waits for it.
    const done = () => {
      if (unwritten === settled) unwritten = undefined;
    };
    const settled: Promise<void> = writing.then(done, done);
    unwritten = settled;
  };

  // Powertools learns an invocation's context when it first writes a line in it: most invocations
  // write none, and its `addContext` reads the environment several times (about 1 µs). The first
  // invocation's is given at once, so Powertools' own cold-start flag stays right.
  let contextToGive: Context | undefined;

  // Every other line goes through Powertools, after the record lines held before it.
  const throughPowertools =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...attributes: Record<string, unknown>[]) => {
      flush();
      if (contextToGive !== undefined) {
        logger.addContext(contextToGive);
        contextToGive = undefined;
      }
      logger[level](message, ...attributes);
    };

  return {
    debug: throughPowertools('debug'),
    info: throughPowertools('info'),
    warn: throughPowertools('warn'),
    error: throughPowertools('error'),
    getLevelName: () => levelName,
    addContext(context) {
      flush();
      invocations += 1;
      if (invocations === 1) logger.addContext(context);
      else contextToGive = context;
      const traceId = traceIdOf(options.traceHeader?.());
      afterStamp = `"${invocationFragment(options.serviceName, context, invocations === 1, traceId)}`;
    },
    writeLine(level, message, members) {
      if (LINE_LEVEL_RANK[level] < threshold) return;
      if (level !== openingLevel || message !== openingMessage) {
        openingLevel = level;
        openingMessage = message;
        opening = `{"level":"${LINE_LEVEL_NAME[level]}","message":${JSON.stringify(message)},"timestamp":"`;
      }
      // Pieces, not one string: the join of the invocation's lines copies each piece once.
      if (members === '') pending.push(opening, timestamp(), afterStamp, '}\n');
      else pending.push(opening, timestamp(), afterStamp, ',', members, '}\n');
    },
    append(line) {
      pending.push(line);
    },
    flush,
    written: () => unwritten,
  };
}

/** The part of a Node stream {@link streamWriter} uses (`process.stdout`, a socket). */
export interface WritableOutput {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
  /** Bytes given to `write` that the stream still holds (not yet taken by the system). */
  readonly writableLength: number;
}

/**
 * A {@link LineLoggerOptions.write} for a Node stream. On Lambda, stdout is a pipe the log agent
 * reads: when the agent is behind and the pipe is full, Node keeps the rest of a chunk in memory
 * and writes it later, and a process frozen (or shut down) after the invocation answers would hold
 * (or lose) those lines. So when the stream still holds bytes after the write, this returns a
 * promise, settled by the callback of an empty write queued behind them (a stream calls it once
 * everything before it is written, or failed: a broken output never holds an invocation). A write
 * the system takes at once, the usual case, costs one property read more.
 */
export function streamWriter(output: WritableOutput): (text: string) => Promise<void> | undefined {
  return (text) => {
    output.write(text);
    if (output.writableLength === 0) return undefined;
    return new Promise<void>((resolve) => {
      output.write('', () => resolve());
    });
  };
}
