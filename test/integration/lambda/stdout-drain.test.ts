import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseEnv, ROOT } from '../../cli/run-cli.js';

/**
 * On Lambda, stdout is a pipe the log agent reads. When the agent falls behind, Node keeps what
 * does not fit in the pipe in memory, and a process frozen right after it answers holds those
 * lines (or loses them, if it is shut down). These tests run the real handler in a child process
 * whose stdout is a pipe this process stops reading, with about 1.2 MB of lines per invocation
 * (DEBUG run reports), far more than a pipe and a stream buffer hold.
 */

interface Child {
  readonly process: ChildProcess;
  /** IPC messages in the order they came. */
  readonly messages: Record<string, unknown>[];
  /** Resolves with the first message that has `key`. */
  message(key: string): Promise<Record<string, unknown>>;
  /** Everything read from its stdout so far. */
  stdout(): string;
  /** Starts reading its stdout (it is not read until then). */
  readStdout(): void;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

function startChild(env: Record<string, string>): Child {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/support/stalled-stdout-child.ts')],
    {
      cwd: ROOT,
      env: baseEnv({
        CONFIG_TABLE_NAME: 'flow-worker-config',
        RUN_STATE_TABLE_NAME: 'flow-worker-run-state',
        DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/inbound-sync-dlq.fifo',
        LOG_LEVEL: 'DEBUG',
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  children.push(child);
  const messages: Record<string, unknown>[] = [];
  const waiting: {
    key: string;
    resolve: (message: Record<string, unknown>) => void;
    reject: (error: Error) => void;
  }[] = [];
  child.on('message', (message: Record<string, unknown>) => {
    messages.push(message);
    for (const waiter of waiting.filter(({ key }) => key in message)) waiter.resolve(message);
  });
  // A child that dies fails the test at once, not at its timeout.
  child.on('exit', (code) => {
    for (const waiter of waiting)
      waiter.reject(new Error(`the child exited (${code}) before saying "${waiter.key}"`));
  });
  const chunks: Buffer[] = [];
  return {
    process: child,
    messages,
    message: (key) =>
      new Promise((resolve, reject) => {
        const earlier = messages.find((message) => key in message);
        if (earlier !== undefined) resolve(earlier);
        else waiting.push({ key, resolve, reject });
      }),
    stdout: () => Buffer.concat(chunks).toString('utf8'),
    readStdout: () => child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk)),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the handler and a stdout that is not being read', () => {
  it('answers only once its lines have been written, and writes every one', async () => {
    // Prepare
    const child = startChild({});
    await child.message('invoking');
    // Act: nothing reads the pipe for a while, then everything is read
    await pause(1_000);
    const answeredWhileStalled = child.messages.some((message) => 'answered' in message);
    child.readStdout();
    const answer = await child.message('answered');
    await once(child.process, 'exit');
    // Assess
    expect(answeredWhileStalled).toBe(false);
    expect(answer).toEqual({ answered: true, failures: 0 });
    const lines = child
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.message === 'record processed')).toHaveLength(10);
    expect(lines.filter((line) => line.message === 'run report')).toHaveLength(10);
    expect(lines.filter((line) => '_aws' in line)).toHaveLength(1);
  }, 30_000);

  it('still answers by its deadline when the output never drains', async () => {
    // Prepare: 3 s to run, so the deadline signal fires 0.5 s before the end
    const child = startChild({ REMAINING_MS: '3000' });
    await child.message('invoking');
    const invoked = performance.now();
    // Act: the pipe is never read until the answer has come
    const answer = await child.message('answered');
    const answeredAfterMs = performance.now() - invoked;
    // Assess
    expect(answer).toEqual({ answered: true, failures: 0 });
    expect(answeredAfterMs).toBeGreaterThanOrEqual(2_000);
    child.readStdout();
    await once(child.process, 'exit');
    expect(
      child
        .stdout()
        .trim()
        .split('\n')
        .filter((line) => line.includes('"record processed"')),
    ).toHaveLength(10);
  }, 30_000);
});
