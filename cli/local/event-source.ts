import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION, queueArn } from '../sqs-event.js';

/** A batch received from a queue, as Lambda's event source mapping would deliver it. */
export interface ReceivedBatch {
  readonly event: SQSEvent;
  /** messageId → receipt handle, to delete what the handler acknowledged. */
  readonly receipts: ReadonlyMap<string, string>;
}

function toRecord(message: Message, queueName: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
      ...(attributes.MessageDeduplicationId === undefined
        ? {}
        : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
      ...(attributes.SequenceNumber === undefined ? {} : { SequenceNumber: attributes.SequenceNumber }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', stringValue: value.StringValue },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn(queueName),
    awsRegion: LOCAL_REGION,
  };
}

/** Receives up to 10 messages (FIFO: whole groups in order) and shapes them as an SQS event. */
export async function receiveBatch(client: SQSClient, queueUrl: string): Promise<ReceivedBatch> {
  const queueName = queueUrl.split('/').at(-1) ?? '';
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return {
    event: { Records: Messages.map((m) => toRecord(m, queueName)) },
    receipts: new Map(Messages.map((m) => [m.MessageId ?? '', m.ReceiptHandle ?? ''])),
  };
}

/** Deletes the messages the handler did not report failed: what the event source mapping does. */
export async function acknowledge(
  client: SQSClient,
  queueUrl: string,
  batch: ReceivedBatch,
  failedIds: readonly string[],
): Promise<number> {
  const done = [...batch.receipts].filter(([id]) => !failedIds.includes(id));
  for (const [, receiptHandle] of done) {
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
  }
  return done.length;
}
