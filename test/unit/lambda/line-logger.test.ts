import { Logger } from '@aws-lambda-powertools/logger';
import {
  createLineLogger,
  streamWriter,
  traceIdOf,
  type LineLogger,
  type WritableOutput,
} from '@flow-worker/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../cli/local/lambda.js';

/** An attributes object as the members `writeLine` takes: its JSON text without the braces. */
const membersOf = (attributes: Record<string, unknown>): string => JSON.stringify(attributes).slice(1, -1);

const TRACE_HEADER = 'Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';
const FIXED_NOW = Date.parse('2026-11-25T12:00:00.000Z');

/** Everything Powertools writes goes through process.stdout; collect it while a test runs. */
let restore: (() => void) | undefined;
function captureStdout(): string[] {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = capture;
  restore = () => {
    process.stdout.write = original;
  };
  return chunks;
}
afterEach(() => {
  restore?.();
  restore = undefined;
  vi.unstubAllEnvs();
});

function linesOf(chunks: readonly string[]): Record<string, unknown>[] {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function setup(logLevel = 'INFO') {
  const writes: string[] = [];
  const powertools = new Logger({ serviceName: 'flow-worker-test', logLevel: logLevel as never });
  const logger: LineLogger = createLineLogger(powertools, {
    serviceName: 'flow-worker-test',
    write: (text) => void writes.push(text),
    traceHeader: () => TRACE_HEADER,
    now: () => FIXED_NOW,
  });
  return { powertools, logger, writes };
}

describe('createLineLogger', () => {
  it('writes record lines with the same keys, in the same order, as a Powertools line', () => {
    const context = lambdaContext('flow-worker-inbound-sync');
    const attributes = { message_id: 'm-1', outcome: 'succeeded', flows_matched: ['a'], duration_ms: 3 };

    // Reference: Powertools itself, with the same context and trace header.
    process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
    const reference = new Logger({ serviceName: 'flow-worker-test' });
    const captured = captureStdout();
    try {
      reference.addContext(context);
      reference.info('record processed', attributes);
    } finally {
      restore?.();
      delete process.env._X_AMZN_TRACE_ID;
    }
    const [expected] = linesOf(captured);

    const { logger, writes } = setup();
    logger.addContext?.(context);
    logger.writeLine('info', 'record processed', membersOf(attributes));
    logger.flush();
    const [actual] = linesOf(writes);

    // sampling_rate is Powertools' own setting (not written); cold_start each logger tracks itself.
    const { sampling_rate: _rate, ...reference_ } = expected!;
    expect(Object.keys(actual!)).toEqual(Object.keys(reference_));
    expect({ ...actual, timestamp: '', cold_start: false }).toEqual({
      ...reference_,
      timestamp: '',
      cold_start: false,
    });
    expect(actual!.timestamp).toBe('2026-11-25T12:00:00.000Z');
    expect(actual!.xray_trace_id).toBe('1-6750a1b2-0123456789abcdef01234567');
  });

  it('holds record lines until flush, and flushes them before any other line so order is kept', () => {
    const stdout = captureStdout();
    const powertools = new Logger({ serviceName: 'flow-worker-test' });
    const logger = createLineLogger(powertools, {
      serviceName: 'flow-worker-test',
      write: (text) => void process.stdout.write(text),
    });
    logger.addContext?.(lambdaContext('f'));
    logger.writeLine('info', 'record processed', membersOf({ message_id: 'm-1' }));
    logger.writeLine('warn', 'record failed; SQS will redeliver it', membersOf({ message_id: 'm-2' }));
    expect(stdout).toEqual([]);

    // A Powertools line comes after the record lines held before it.
    logger.info('config loaded');
    logger.writeLine('info', 'record processed', membersOf({ message_id: 'm-3' }));
    logger.flush();
    logger.flush(); // nothing left: no empty write
    restore?.();
    expect(stdout).toHaveLength(3);
    expect(linesOf(stdout).map((line) => [line.level, line.message_id ?? line.message])).toEqual([
      ['INFO', 'm-1'],
      ['WARN', 'm-2'],
      ['INFO', 'config loaded'],
      ['INFO', 'm-3'],
    ]);
  });

  it('follows the logger level, also when it is changed later', () => {
    const { powertools, logger, writes } = setup('WARN');
    logger.addContext?.(lambdaContext('f'));
    logger.writeLine('info', 'record processed', membersOf({ message_id: 'dropped' }));
    logger.writeLine('warn', 'record dead-lettered', membersOf({ message_id: 'kept' }));
    logger.flush();
    expect(linesOf(writes).map((line) => line.message_id)).toEqual(['kept']);

    powertools.setLogLevel('SILENT');
    expect(logger.getLevelName?.()).toBe('SILENT');
    logger.addContext?.(lambdaContext('f'));
    logger.writeLine('warn', 'record dead-lettered', membersOf({ message_id: 'silenced' }));
    logger.flush();
    expect(linesOf(writes).map((line) => line.message_id)).toEqual(['kept']);
  });

  it("gives Powertools' own lines the context of the invocation they are written in", () => {
    // Lambda sets this for on-demand functions; Powertools reports cold starts only then.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const stdout = captureStdout();
    const powertools = new Logger({ serviceName: 'flow-worker-test' });
    const logger = createLineLogger(powertools, {
      serviceName: 'flow-worker-test',
      write: (text) => void process.stdout.write(text),
    });
    for (const awsRequestId of ['request-1', 'request-2', 'request-3']) {
      logger.addContext?.({ ...lambdaContext('f'), awsRequestId });
      // The second invocation writes no Powertools line; the third does, after its record line.
      if (awsRequestId !== 'request-2') logger.info('config loaded');
      logger.writeLine('info', 'record processed', membersOf({ message_id: awsRequestId }));
      logger.flush();
    }
    restore?.();
    expect(linesOf(stdout).map((line) => [line.message, line.function_request_id, line.cold_start])).toEqual([
      ['config loaded', 'request-1', true],
      ['record processed', 'request-1', true],
      ['record processed', 'request-2', false],
      ['config loaded', 'request-3', false],
      ['record processed', 'request-3', false],
    ]);
  });

  it('marks the first invocation of a container as its cold start, and only that one', () => {
    const { logger, writes } = setup();
    for (const id of ['first', 'second']) {
      logger.addContext?.(lambdaContext('f'));
      logger.writeLine('info', 'record processed', membersOf({ message_id: id }));
      logger.flush();
    }
    expect(linesOf(writes).map((line) => [line.message_id, line.cold_start])).toEqual([
      ['first', true],
      ['second', false],
    ]);
  });

  it('writes a line with no members of its own as the standard keys alone, between other lines', () => {
    const { logger, writes } = setup();
    logger.addContext?.(lambdaContext('f'));
    logger.writeLine('info', 'record processed', membersOf({ message_id: 'm-1' }));
    logger.writeLine('info', 'nothing else', '');
    logger.writeLine('warn', 'record dead-lettered', membersOf({ message_id: 'm-2' }));
    logger.flush();
    const lines = linesOf(writes);
    expect(lines.map((line) => [line.message, line.message_id, line.level])).toEqual([
      ['record processed', 'm-1', 'INFO'],
      ['nothing else', undefined, 'INFO'],
      ['record dead-lettered', 'm-2', 'WARN'],
    ]);
    expect(Object.keys(lines[1]!).at(-1)).toBe('xray_trace_id');
  });

  it('escapes what it is given: a message and attributes with quotes and newlines stay one JSON line', () => {
    const { logger, writes } = setup();
    logger.writeLine('warn', 'record "failed"\nagain', membersOf({ error_message: 'line 1\nline "2"' }));
    logger.flush();
    expect(writes.join('').split('\n').filter(Boolean)).toHaveLength(1);
    expect(linesOf(writes)[0]).toMatchObject({
      message: 'record "failed"\nagain',
      error_message: 'line 1\nline "2"',
      service: 'flow-worker-test',
    });
  });
});

/** An output that keeps what it is given until `drain()`, as a full pipe does; then takes it at once. */
function slowOutput() {
  const held: { text: string; callback: (() => void) | undefined }[] = [];
  const taken: string[] = [];
  let holding = true;
  const output: WritableOutput = {
    write(text, callback) {
      if (holding) {
        held.push({ text, callback });
        return false;
      }
      taken.push(text);
      if (callback !== undefined) queueMicrotask(callback);
      return true;
    },
    get writableLength() {
      return held.reduce((bytes, { text }) => bytes + text.length, 0);
    },
  };
  const drain = () => {
    holding = false;
    for (const { text, callback } of held.splice(0)) {
      taken.push(text);
      callback?.();
    }
  };
  return { output, taken: () => taken.filter((text) => text !== ''), drain };
}

describe('streamWriter and written()', () => {
  it('has nothing to wait for when the output takes the chunk at once', () => {
    const { output, taken, drain } = slowOutput();
    drain();
    const logger = createLineLogger(new Logger({ serviceName: 's' }), {
      serviceName: 's',
      write: streamWriter(output),
    });
    logger.writeLine('info', 'record processed', '"message_id":"m-1"');
    logger.flush();
    expect(logger.written()).toBeUndefined();
    expect(taken()).toHaveLength(1);
  });

  it('waits for every chunk the output held, and only until it took them', async () => {
    // Prepare
    const { output, taken, drain } = slowOutput();
    const logger = createLineLogger(new Logger({ serviceName: 's' }), {
      serviceName: 's',
      write: streamWriter(output),
    });
    let settled = false;
    // Act
    logger.writeLine('info', 'record processed', '"message_id":"m-1"');
    logger.flush();
    logger.append('{"metrics":1}\n');
    logger.flush();
    const writing = logger.written();
    void writing?.then(() => (settled = true));
    await Promise.resolve();
    const settledBeforeDrain = settled;
    drain();
    await writing;
    // Assess
    expect(writing).toBeInstanceOf(Promise);
    expect(settledBeforeDrain).toBe(false);
    expect(taken()).toHaveLength(2);
    expect(logger.written()).toBeUndefined();
  });

  it('settles written() when a writer of its own rejects', async () => {
    const logger = createLineLogger(new Logger({ serviceName: 's' }), {
      serviceName: 's',
      write: () => Promise.reject(new Error('the output is gone')),
    });
    logger.writeLine('info', 'record processed', '"message_id":"m-1"');
    logger.flush();
    await expect(logger.written()).resolves.toBeUndefined();
    expect(logger.written()).toBeUndefined();
  });

  it('does not wait on a chunk whose write failed', async () => {
    const output: WritableOutput = {
      write: (_text, callback) => {
        if (callback !== undefined) setTimeout(() => callback(new Error('EPIPE')), 0);
        return false;
      },
      writableLength: 10,
    };
    const writing = streamWriter(output)('{"a":1}\n');
    expect(writing).toBeInstanceOf(Promise);
    await expect(writing).resolves.toBeUndefined();
  });
});

describe('traceIdOf', () => {
  it('takes the Root of an X-Ray trace header', () => {
    expect(traceIdOf(TRACE_HEADER)).toBe('1-6750a1b2-0123456789abcdef01234567');
    expect(traceIdOf('Parent=1;Sampled=0')).toBeUndefined();
    expect(traceIdOf('')).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});
