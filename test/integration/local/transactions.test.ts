import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConfigTable } from '@flow-worker/runtime';

/**
 * The transaction layer in front of dynalite (cli/local/transactions.ts), through the real SDK: the
 * global setup's endpoint is that layer.
 */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let left: string;
let right: string;

const get = async (TableName: string, id: string) =>
  (await client.send(new GetCommand({ TableName, Key: { connector_id: id } }))).Item;

beforeAll(async () => {
  raw = new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'us-east-1', credentials });
  client = DynamoDBDocumentClient.from(raw);
  left = `tx-left-${randomUUID()}`;
  right = `tx-right-${randomUUID()}`;
  await createConfigTable(raw, left);
  await createConfigTable(raw, right);
});
afterAll(() => raw.destroy());

describe('TransactWriteItems on dynalite', () => {
  it('writes every item of a transaction across two tables', async () => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: left, Item: { connector_id: 'both', n: 1 } } },
          { Put: { TableName: right, Item: { connector_id: 'both', n: 2 } } },
        ],
      }),
    );

    expect(await get(left, 'both')).toEqual({ connector_id: 'both', n: 1 });
    expect(await get(right, 'both')).toEqual({ connector_id: 'both', n: 2 });
  });

  it('cancels the whole transaction on a failed condition and restores what it had written', async () => {
    await client.send(new PutCommand({ TableName: left, Item: { connector_id: 'kept', n: 1 } }));
    await client.send(new PutCommand({ TableName: right, Item: { connector_id: 'guard', n: 5 } }));

    const error = await client
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: left, Item: { connector_id: 'kept', n: 2 } } },
            { Put: { TableName: left, Item: { connector_id: 'new', n: 2 } } },
            {
              Put: {
                TableName: right,
                Item: { connector_id: 'guard', n: 6 },
                ConditionExpression: 'n = :four',
                ExpressionAttributeValues: { ':four': 4 },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    expect(reasons.map((r) => r.Code)).toEqual(['None', 'None', 'ConditionalCheckFailed']);
    expect(reasons[2]?.Item).toEqual({ connector_id: { S: 'guard' }, n: { N: '5' } });
    expect(await get(left, 'kept')).toEqual({ connector_id: 'kept', n: 1 });
    expect(await get(left, 'new')).toBeUndefined();
    expect(await get(right, 'guard')).toEqual({ connector_id: 'guard', n: 5 });
  });

  it('checks a condition on a missing item without creating it', async () => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: left,
              Key: { connector_id: 'absent' },
              ConditionExpression: 'attribute_not_exists(connector_id)',
            },
          },
          { Put: { TableName: right, Item: { connector_id: 'checked', n: 1 } } },
        ],
      }),
    );

    expect(await get(left, 'absent')).toBeUndefined();
    expect(await get(right, 'checked')).toEqual({ connector_id: 'checked', n: 1 });
  });

  it('refuses what DynamoDB refuses: two actions on one item, more than 100 actions, more than 4 MB', async () => {
    const twice = client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: left, Item: { connector_id: 'twice', n: 1 } } },
          { Delete: { TableName: left, Key: { connector_id: 'twice' } } },
        ],
      }),
    );
    const many = client.send(
      new TransactWriteCommand({
        TransactItems: Array.from({ length: 101 }, (_, i) => ({
          Put: { TableName: left, Item: { connector_id: `many-${i}` } },
        })),
      }),
    );
    const big = client.send(
      new TransactWriteCommand({
        TransactItems: Array.from({ length: 11 }, (_, i) => ({
          Put: { TableName: left, Item: { connector_id: `big-${i}`, data: new Uint8Array(400_000) } },
        })),
      }),
    );

    // All assertions attach at once, so no rejection goes unobserved while another is awaited.
    await Promise.all([
      expect(twice).rejects.toThrow('multiple operations on one item'),
      expect(many).rejects.toThrow('less than or equal to 100'),
      expect(big).rejects.toThrow('larger than 4 MB'),
    ]);
    expect(await get(left, 'twice')).toBeUndefined();
    expect(await get(left, 'many-0')).toBeUndefined();
  });

  it('never lets a transactional reader see half of a transaction', async () => {
    const pair = (n: number) =>
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: left, Item: { connector_id: 'pair', n } } },
          { Put: { TableName: right, Item: { connector_id: 'pair', n } } },
        ],
      });
    await client.send(pair(0));
    const read = () =>
      client.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: left, Key: { connector_id: 'pair' } } },
            { Get: { TableName: right, Key: { connector_id: 'pair' } } },
          ],
        }),
      );

    const [, ...reads] = await Promise.all([
      (async () => {
        for (let n = 1; n <= 20; n += 1) await client.send(pair(n));
      })(),
      ...Array.from({ length: 40 }, read),
    ]);

    for (const { Responses = [] } of reads) {
      expect(Responses[0]?.Item?.n).toBe(Responses[1]?.Item?.n);
    }
  });
});
