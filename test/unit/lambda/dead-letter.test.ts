import { describe, expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_LENGTH, deadLetterMessage, sourceQueueOf } from '@flow-worker/runtime';
import { anSqsRecord } from './sqs-fixtures.js';

const FIFO_DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/flow-worker-dlq.fifo';

describe('deadLetterMessage', () => {
  it('uses the messageId as group for a record without a group on a FIFO DLQ', () => {
    const record = anSqsRecord({ messageId: 'm1', body: 'x', groupId: null, queue: 'standard-in' });

    const message = deadLetterMessage(record, { errorClass: 'poison', errorMessage: 'bad' }, FIFO_DLQ);

    expect(message).toMatchObject({ MessageGroupId: 'm1', MessageDeduplicationId: 'm1' });
    expect(message.MessageAttributes?.source_queue?.StringValue).toBe('standard-in');
  });

  it('bounds error_message and replaces characters SQS would reject', () => {
    const record = anSqsRecord({ body: 'x' });

    const message = deadLetterMessage(
      record,
      { errorClass: 'permanent', errorMessage: `bad\u0000char ${'y'.repeat(5_000)}`, flow: 'f', step: '' },
      FIFO_DLQ,
    );

    const text = message.MessageAttributes?.error_message?.StringValue ?? '';
    expect(text.length).toBe(MAX_ERROR_MESSAGE_LENGTH);
    expect(text).toMatch(/^bad\uFFFDchar y+…$/);
    expect(message.MessageAttributes?.flow?.StringValue).toBe('f');
    expect(message.MessageAttributes).not.toHaveProperty('step');
  });
});

describe('sourceQueueOf', () => {
  it('takes the queue name from the event source ARN', () => {
    expect(sourceQueueOf({ eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:outbound-sync.fifo' })).toBe(
      'outbound-sync.fifo',
    );
  });
});
