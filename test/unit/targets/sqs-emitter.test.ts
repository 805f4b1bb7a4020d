import { QueueDoesNotExist, SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSqsEmitter,
  type EmitRequest,
  type Envelope,
  PermanentError,
  RetryableError,
} from '@flow-worker/runtime';

const OUTBOUND_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/outbound-sync.fifo';
const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const envelope: Envelope = {
  connector_id: 'acme',
  source_name: 'hubspot_outbound',
  event_type: 'company_synced',
  event_id: 'evt-1',
  payload: { id: '9001' },
};
const request: EmitRequest = {
  queue: 'outbound-sync',
  envelope,
  messageGroupId: 'acme',
  messageDeduplicationId: 'dedup-abc',
};

function emitter(queueUrls = { 'inbound-sync': undefined, 'outbound-sync': OUTBOUND_URL }) {
  return createSqsEmitter({ client: new SQSClient({ region: 'eu-west-1' }), queueUrls });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('SQS emitter', () => {
  it('sends the envelope as JSON with the group and deduplication ids', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    const result = await emitter().emit(request);

    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      QueueUrl: OUTBOUND_URL,
      MessageGroupId: 'acme',
      MessageDeduplicationId: 'dedup-abc',
    });
    expect(JSON.parse(input?.MessageBody ?? '')).toEqual(envelope);
    expect(result).toEqual({ messageId: 'm-1' });
  });

  it('fails permanently, naming the environment variable, when the queue URL is not configured', async () => {
    const error = await failure(emitter().emit({ ...request, queue: 'inbound-sync' }));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('INBOUND_QUEUE_URL');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('maps throttling to a retryable error', async () => {
    sqs.on(SendMessageCommand).rejects(
      new SQSServiceException({
        name: 'RequestThrottled',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    await expect(emitter().emit(request)).rejects.toBeInstanceOf(RetryableError);
  });

  it('maps an SQS server fault to a retryable error', async () => {
    sqs.on(SendMessageCommand).rejects(
      new SQSServiceException({
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    const error = await failure(emitter().emit(request));

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 500 });
  });

  it('maps a network failure to a retryable error', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    await expect(emitter().emit(request)).rejects.toBeInstanceOf(RetryableError);
  });

  it('maps a missing queue to a permanent error', async () => {
    sqs.on(SendMessageCommand).rejects(
      new QueueDoesNotExist({
        message: 'The specified queue does not exist.',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    await expect(emitter().emit(request)).rejects.toBeInstanceOf(PermanentError);
  });

  it('passes the abort signal to the SDK', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-2' });
    const controller = new AbortController();

    await emitter().emit({ ...request, signal: controller.signal });

    expect((sqs.call(0).args as unknown[])[1]).toMatchObject({ abortSignal: controller.signal });
  });
});
