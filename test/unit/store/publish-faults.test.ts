import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError, publishConfig } from '@flow-worker/runtime';
import { aConfig } from '../fixtures.js';

/**
 * Faults only real DynamoDB produces: a transaction cancelled because another transaction touched
 * the same items at the same moment, or for a reason publishing cannot fix by trying again.
 */
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const table = { client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'config' };
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

function emptyTable() {
  dynamo.on(BatchGetCommand).resolves({ Responses: { config: [] } });
  dynamo.on(BatchWriteCommand).resolves({});
}

describe('publishConfig against transaction faults', () => {
  it('tries again when another transaction overlapped (TransactionConflict), and publishes', async () => {
    emptyTable();
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).resolves({});

    const result = await publishConfig(table, aConfig({ version: 1 }));

    expect(result.version).toBe(1);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(1); // chunks are written once
  });

  it('gives up with a retryable error naming the reasons when the cancellation is not a race', async () => {
    emptyTable();
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ValidationError'));

    const error = await publishConfig(table, aConfig({ version: 1 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe(
      'publishing connector "acme" to table config was cancelled (None, ValidationError)',
    );
  });

  it('gives up after a few attempts when the head keeps moving', async () => {
    emptyTable();
    dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

    const error = await publishConfig(table, aConfig({ version: 1 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toContain('the head kept moving');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });
});
