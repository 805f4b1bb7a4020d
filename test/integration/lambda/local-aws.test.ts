import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
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
