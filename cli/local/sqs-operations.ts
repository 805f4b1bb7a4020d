import { AwsJsonError, requiredString, type AwsJsonOperation } from './aws-json-server.js';
import { SqsRuleError, type LocalQueue } from './sqs-queues.js';
import type { LocalQueues, QueueSettings } from './sqs-registry.js';
import {
  attributeBytes,
  invalidParameter,
  md5,
  md5OfMessageAttributes,
  parseAttributes,
  receivedOutput,
} from './sqs-wire.js';

/**
 * The SQS operations the local SQS answers, each a translation from AWS JSON input to a call on
 * the queues and back: queues (create, find, list, attributes), messages one at a time and in
 * batches of up to 10 (send, receive, delete, change visibility).
 */

type Input = Record<string, unknown>;

/** `SendMessage`: size and attribute checks, then the queue's FIFO rules. */
function sendMessage(queue: LocalQueue, input: Input, maxMessageBytes: number) {
  const body = requiredString(input, 'MessageBody');
  const attributes = parseAttributes(input.MessageAttributes);
  if (Buffer.byteLength(body) + attributeBytes(attributes) > maxMessageBytes) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
    );
  }
  const sent = queue.send({
    body,
    attributes,
    messageGroupId: input.MessageGroupId as string | undefined,
    messageDeduplicationId: input.MessageDeduplicationId as string | undefined,
  });
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: md5(body),
    ...(Object.keys(attributes).length === 0
      ? {}
      : { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }),
    ...(sent.sequenceNumber === undefined ? {} : { SequenceNumber: sent.sequenceNumber }),
  };
}

/** `ReceiveMessage`, with a short long-poll (`WaitTimeSeconds`, at most 20, in real time). */
async function receiveMessage(queue: LocalQueue, input: Input) {
  const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
  const visibilityMs =
    input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout) * 1000;
  const wanted = (input.MessageAttributeNames as string[] | undefined) ?? [];
  const deadline = Date.now() + Math.min(20, Number(input.WaitTimeSeconds ?? 0)) * 1000;
  for (;;) {
    const received = queue.receive(max, visibilityMs);
    if (received.length > 0) return { Messages: received.map((r) => receivedOutput(r, wanted)) };
    if (Date.now() >= deadline) return {};
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The entries of a batch request: 1 to 10, with distinct ids, as SQS requires. */
function batchEntries(input: Input): Input[] {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : [];
  if (entries.length === 0) {
    throw new AwsJsonError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (entries.length > 10) {
    throw new AwsJsonError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
  }
  const ids = entries.map((entry) => String(entry.Id));
  if (new Set(ids).size !== ids.length) {
    throw new AwsJsonError('BatchEntryIdsNotDistinct', 'Id values in a batch request must be unique.');
  }
  return entries;
}

/** Runs each entry of a batch; a broken rule fails that entry only, as SQS answers it. */
function eachEntry(input: Input, run: (entry: Input) => Record<string, unknown>) {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of batchEntries(input)) {
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsRuleError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}

function visibilitySeconds(input: Input): number {
  const value = Number(input.VisibilityTimeout);
  if (input.VisibilityTimeout === undefined || !Number.isInteger(value)) {
    throw new SqsRuleError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
  }
  return value;
}

/** `RedrivePolicy` as SQS takes it: JSON text with `deadLetterTargetArn` and `maxReceiveCount`. */
function queueSettings(attributes: Record<string, string>): QueueSettings {
  const policy =
    attributes.RedrivePolicy === undefined ? undefined : (JSON.parse(attributes.RedrivePolicy) as Input);
  return {
    ...(attributes.ContentBasedDeduplication === undefined
      ? {}
      : { contentBasedDeduplication: attributes.ContentBasedDeduplication === 'true' }),
    ...(attributes.VisibilityTimeout === undefined
      ? {}
      : { visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout) }),
    ...(policy === undefined
      ? {}
      : {
          redrive: {
            deadLetterQueue: String(policy.deadLetterTargetArn).split(':').at(-1) ?? '',
            maxReceiveCount: Number(policy.maxReceiveCount),
          },
        }),
  };
}

function queueAttributes(queue: LocalQueue): Record<string, string> {
  const { visible, inFlight } = queue.counts();
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(inFlight),
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    ...(queue.fifo
      ? { FifoQueue: 'true', ContentBasedDeduplication: String(queue.contentBasedDeduplication) }
      : {}),
    ...(queue.redrive === undefined
      ? {}
      : {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: queue.redrive.target.arn,
            maxReceiveCount: queue.redrive.maxReceiveCount,
          }),
        }),
  };
}

type Operations = Record<string, AwsJsonOperation>;

/** Queue operations: create, find, list, read and change attributes. */
function queueOperations(
  queues: LocalQueues,
  urlOf: (name: string) => string,
  queueOf: (input: Input) => LocalQueue,
): Operations {
  const attributesOf = (input: Input) => (input.Attributes ?? {}) as Record<string, string>;
  return {
    CreateQueue: (input) => {
      const name = requiredString(input, 'QueueName');
      const attributes = attributesOf(input);
      if (attributes.FifoQueue === 'true' && !name.endsWith('.fifo')) {
        throw invalidParameter(
          'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix',
        );
      }
      queues.create(name, queueSettings(attributes));
      return { QueueUrl: urlOf(name) };
    },
    GetQueueUrl: (input) => {
      const name = requiredString(input, 'QueueName');
      queues.get(name);
      return { QueueUrl: urlOf(name) };
    },
    ListQueues: (input) => {
      const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
      return {
        QueueUrls: queues
          .names()
          .filter((name) => name.startsWith(prefix))
          .map(urlOf),
      };
    },
    GetQueueAttributes: (input) => {
      const wanted = (input.AttributeNames as string[] | undefined) ?? ['All'];
      const all = queueAttributes(queueOf(input));
      const picked = wanted.includes('All')
        ? all
        : Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));
      return { Attributes: picked };
    },
    SetQueueAttributes: (input) => {
      queues.configure(queueOf(input), queueSettings(attributesOf(input)));
      return {};
    },
  };
}

/** Message operations, one at a time and in batches. */
function messageOperations(queueOf: (input: Input) => LocalQueue, maxMessageBytes: number): Operations {
  return {
    SendMessage: (input) => sendMessage(queueOf(input), input, maxMessageBytes),
    SendMessageBatch: (input) => {
      const queue = queueOf(input);
      return eachEntry(input, (entry) => sendMessage(queue, entry, maxMessageBytes));
    },
    ReceiveMessage: (input) => receiveMessage(queueOf(input), input),
    DeleteMessage: (input) => {
      queueOf(input).delete(requiredString(input, 'ReceiptHandle'));
      return {};
    },
    DeleteMessageBatch: (input) => {
      const queue = queueOf(input);
      return eachEntry(input, (entry) => (queue.delete(requiredString(entry, 'ReceiptHandle')), {}));
    },
    ChangeMessageVisibility: (input) => {
      queueOf(input).changeVisibility(requiredString(input, 'ReceiptHandle'), visibilitySeconds(input));
      return {};
    },
    ChangeMessageVisibilityBatch: (input) => {
      const queue = queueOf(input);
      return eachEntry(input, (entry) => {
        queue.changeVisibility(requiredString(entry, 'ReceiptHandle'), visibilitySeconds(entry));
        return {};
      });
    },
  };
}

export function sqsOperations(
  queues: LocalQueues,
  urlOf: (name: string) => string,
  maxMessageBytes: number,
): Operations {
  const queueOf = (input: Input): LocalQueue =>
    queues.get(requiredString(input, 'QueueUrl').split('/').at(-1) ?? '');
  return { ...queueOperations(queues, urlOf, queueOf), ...messageOperations(queueOf, maxMessageBytes) };
}
