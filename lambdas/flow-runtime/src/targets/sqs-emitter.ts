import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueName } from '../document/config.js';
import { PermanentError, RetryableError } from '../errors.js';
import type { Emitter } from './target.js';

/** The environment variable that holds each sync queue's URL (docs/handlers.md). */
export const QUEUE_URL_ENV = {
  'inbound-sync': 'INBOUND_QUEUE_URL',
  'outbound-sync': 'OUTBOUND_QUEUE_URL',
} as const satisfies Record<QueueName, string>;

export interface SqsEmitterOptions {
  readonly client: SQSClient;
  /** Queue URL per sync queue; `undefined` when the handler's environment does not set it. */
  readonly queueUrls: Readonly<Record<QueueName, string | undefined>>;
}

/** SQS error codes that mean "slow down" rather than "this request is wrong". */
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'KmsThrottled',
  'AWS.SimpleQueueService.RequestThrottled',
]);

/**
 * An {@link Emitter} that sends `emit` envelopes to the FIFO sync queues. The caller derives the
 * deduplication and group ids (docs/targets.md, emit); this only delivers them. The body is the envelope
 * as JSON, so the receiving Lambda parses it like any producer's message.
 */
export function createSqsEmitter(options: SqsEmitterOptions): Emitter {
  return {
    async emit(request) {
      const queueUrl = options.queueUrls[request.queue];
      if (queueUrl === undefined || queueUrl === '') {
        throw new PermanentError(
          `emit to "${request.queue}": ${QUEUE_URL_ENV[request.queue]} is not set; configure the queue URL for this function`,
          { context: { queue: request.queue } },
        );
      }
      let messageId: string | undefined;
      try {
        ({ MessageId: messageId } = await options.client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(request.envelope),
            MessageGroupId: request.messageGroupId,
            MessageDeduplicationId: request.messageDeduplicationId,
          }),
          { abortSignal: request.signal },
        ));
      } catch (error) {
        throw mapSqsError(error, request.queue);
      }
      if (messageId === undefined) {
        throw new RetryableError(
          `emit to "${request.queue}": SQS accepted the message but returned no MessageId`,
          {
            context: { queue: request.queue },
          },
        );
      }
      return { messageId };
    },
  };
}

function mapSqsError(error: unknown, queue: QueueName): Error {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const meta = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = meta.$metadata?.httpStatusCode;
  const context = { queue, code: name };
  const reason = error instanceof Error ? error.message : String(error);
  // A client fault (bad parameters, missing queue, access denied, message too large) fails every
  // retry the same way; throttling, server faults and transport errors (no $fault) are transient.
  const permanent = meta.$fault === 'client' && !THROTTLING_ERRORS.has(name) && status !== 429;
  if (permanent) {
    return new PermanentError(`emit to "${queue}" was rejected by SQS (${name}): ${reason}`, {
      cause: error,
      status,
      context,
    });
  }
  return new RetryableError(`emit to "${queue}" failed (${name}): ${reason}; will retry`, {
    cause: error,
    status,
    context,
  });
}
