import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../cli/local/secrets-server.js';
import { startLocalSqs, type LocalSqs } from '../../../cli/local/sqs-server.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('local SQS emulator (AWS JSON 1.0, real SDK client)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;

  beforeAll(async () => {
    sqs = await startLocalSqs();
    client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  it('creates a FIFO queue and finds its URL', async () => {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: 'created.fifo', Attributes: { FifoQueue: 'true' } }),
    );

    const found = await client.send(new GetQueueUrlCommand({ QueueName: 'created.fifo' }));

    expect(found.QueueUrl).toBe(created.QueueUrl);
    expect(found.QueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/created\.fifo$/);
  });

  it('keeps body, attributes, group and deduplication ids; the SDK accepts its MD5s', async () => {
    const queueUrl = sqs.createQueue('roundtrip.fifo');

    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"hello":"wörld"}',
        MessageGroupId: 'acme',
        MessageDeduplicationId: 'dedup-1',
        MessageAttributes: { error_class: { DataType: 'String', StringValue: 'poison' } },
      }),
    );
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );

    const [message] = received.Messages ?? [];
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('{"hello":"wörld"}');
    expect(message?.Attributes).toMatchObject({ MessageGroupId: 'acme', MessageDeduplicationId: 'dedup-1' });
    expect(message?.MessageAttributes).toEqual({
      error_class: { DataType: 'String', StringValue: 'poison' },
    });
    expect(sent.MD5OfMessageAttributes).toBe(message?.MD5OfMessageAttributes);
  });

  it('drops a duplicate inside the deduplication window and answers with the first id', async () => {
    const queueUrl = sqs.createQueue('dedup.fifo');
    const send = () =>
      client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: 'x',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'same',
        }),
      );

    const first = await send();
    const second = await send();

    expect(second.MessageId).toBe(first.MessageId);
    expect(sqs.messages('dedup.fifo')).toHaveLength(1);
  });

  it('delivers a FIFO group one batch at a time and deletes by receipt handle', async () => {
    const queueUrl = sqs.createQueue('order.fifo');
    for (const body of ['1', '2']) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageGroupId: 'g',
          MessageDeduplicationId: body,
        }),
      );
    }

    const first = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
    );
    const blocked = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
    );
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const second = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
    );

    expect(first.Messages?.map((m) => m.Body)).toEqual(['1']);
    expect(blocked.Messages).toBeUndefined();
    expect(second.Messages?.map((m) => m.Body)).toEqual(['2']);
  });

  it('rejects what SQS rejects: a FIFO send without a group, a dedup id on a standard queue, a missing queue', async () => {
    const fifo = sqs.createQueue('strict.fifo');
    const standard = sqs.createQueue('standard');

    await expect(
      client.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'x', MessageDeduplicationId: 'd' })),
    ).rejects.toMatchObject({ name: 'MissingParameter' });
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: standard, MessageBody: 'x', MessageDeduplicationId: 'd' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope`, MessageBody: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

describe('local SQS emulator: visibility, receive counts, redrive and batches (virtual clock)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let now = 1_800_000_000_000;
  let failDeletes = false;

  beforeAll(async () => {
    sqs = await startLocalSqs({
      now: () => now,
      fault: (operation) =>
        failDeletes && operation === 'DeleteMessageBatch'
          ? { code: 'InternalError', message: 'injected' }
          : undefined,
    });
    client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  const send = (QueueUrl: string, body: string, group = 'g') =>
    client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: `${body}-${now}`,
      }),
    );
  const receive = async (QueueUrl: string) =>
    (
      await client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('hides a received message for the queue visibility timeout, then counts the next receive', async () => {
    const queueUrl = sqs.createQueue('visible.fifo', { visibilityTimeoutSeconds: 60 });
    await send(queueUrl, 'a');

    const first = await receive(queueUrl);
    now += 59_000;
    const hidden = await receive(queueUrl);
    now += 1_000;
    const again = await receive(queueUrl);

    expect(first[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(hidden).toEqual([]);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('changes visibility one by one and in batches, answering a bad entry without failing the rest', async () => {
    const queueUrl = sqs.createQueue('backoff.fifo', { visibilityTimeoutSeconds: 30 });
    await send(queueUrl, 'one', 'g1');
    await send(queueUrl, 'two', 'g2');
    const [one, two] = await receive(queueUrl);

    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: one?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const batch = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'two', ReceiptHandle: two?.ReceiptHandle, VisibilityTimeout: 300 },
          { Id: 'bad', ReceiptHandle: 'no-such-receipt', VisibilityTimeout: 300 },
        ],
      }),
    );
    const visibleNow = await receive(queueUrl);

    expect(visibleNow.map((m) => m.Body)).toEqual(['one']);
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['two']);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    expect(sqs.nextVisibleAt('backoff.fifo')).toBe(now + 30_000);
  });

  it('refuses to hide a message beyond 12 hours after its receive, or one no longer in flight', async () => {
    const queueUrl = sqs.createQueue('limits.fifo', { visibilityTimeoutSeconds: 30 });
    await send(queueUrl, 'x');
    const [message] = await receive(queueUrl);
    now += 10_000;
    const change = (VisibilityTimeout: number) =>
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout,
        }),
      );

    await expect(change(43_200)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await change(43_190);
    now += 43_190_000;
    await expect(change(10)).rejects.toMatchObject({ name: 'MessageNotInflight' });
  });

  it('moves a message to its dead-letter queue instead of a receive after maxReceiveCount', async () => {
    const dlqUrl = sqs.createQueue('source-dlq.fifo');
    const queueUrl = sqs.createQueue('source.fifo', {
      visibilityTimeoutSeconds: 10,
      redrive: { deadLetterQueue: 'source-dlq.fifo', maxReceiveCount: 2 },
    });
    await send(queueUrl, 'head');
    await send(queueUrl, 'next');

    const receives: string[][] = [];
    for (let i = 0; i < 3; i += 1) {
      receives.push(
        (await receive(queueUrl)).map((m) => `${m.Body}#${m.Attributes?.ApproximateReceiveCount}`),
      );
      now += 10_000;
    }
    const [moved] = await receive(dlqUrl);
    const attributes = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );

    expect(receives).toEqual([['head#1', 'next#1'], ['head#2', 'next#2'], []]);
    expect(sqs.messages('source-dlq.fifo').map((m) => m.body)).toEqual(['head', 'next']);
    expect(moved?.Attributes?.DeadLetterQueueSourceArn).toBe(
      'arn:aws:sqs:us-east-1:000000000000:source.fifo',
    );
    expect(attributes.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: '2' });
  });

  it('sends and deletes in batches, and answers an injected fault for the whole call', async () => {
    const queueUrl = sqs.createQueue('batches.fifo');
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'a' },
          { Id: 'b', MessageBody: 'b', MessageGroupId: 'g', MessageDeduplicationId: 'b' },
          { Id: 'c', MessageBody: 'c', MessageDeduplicationId: 'c' },
        ],
      }),
    );
    const received = await receive(queueUrl);
    const entries = received.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle }));

    failDeletes = true;
    await expect(
      client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
    ).rejects.toMatchObject({
      name: 'InternalError',
    });
    failDeletes = false;
    const deleted = await client.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );

    expect(sent.Successful?.map((e) => e.Id)).toEqual(['a', 'b']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'c', Code: 'MissingParameter', SenderFault: true }),
    ]);
    expect(received.map((m) => m.Body)).toEqual(['a', 'b']);
    expect(deleted.Successful).toHaveLength(2);
    expect(sqs.messages('batches.fifo')).toEqual([]);
  });
});

describe('local Secrets Manager emulator (AWS JSON 1.1, real SDK client)', () => {
  let secrets: LocalSecretsManager;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    secrets = await startLocalSecretsManager({ 'flow-worker/acme/hubspot': 'pat-local-123' });
    client = new SecretsManagerClient({ endpoint: secrets.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    client.destroy();
    await secrets.close();
  });

  it('returns a stored secret', async () => {
    const value = await client.send(new GetSecretValueCommand({ SecretId: 'flow-worker/acme/hubspot' }));

    expect(value.SecretString).toBe('pat-local-123');
    expect(value.Name).toBe('flow-worker/acme/hubspot');
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
