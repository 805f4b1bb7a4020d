/**
 * A child process for `test/integration/lambda/stdout-drain.test.ts`: the real handler, writing its
 * lines to this process's stdout (a pipe its parent reads, or stalls), as on Lambda. It tells the
 * parent over IPC when it invokes the handler and when the handler answered.
 *
 * Environment: `REMAINING_MS`, the invocation's time (default 60 s); `BLOB_BYTES`, the size of the
 * string each record maps (its DEBUG run report carries it, so the invocation writes about ten
 * times that).
 */
import { compileConfig, validateConfig, type TargetFactory } from '@flow-worker/runtime';
import { createFlowWorkerHandler } from '@flow-worker/runtime/lambda';
import { lambdaContext } from '../../cli/local/lambda.js';
import { anSqsEvent, anSqsRecord } from '../unit/lambda/sqs-fixtures.js';

const send = (message: Record<string, unknown>) =>
  new Promise<void>((resolve) => process.send?.(message, () => resolve()));

const noopTargets: TargetFactory = (definition) => ({
  name: definition.name,
  kind: definition.kind,
  execute: () => Promise.resolve({ id: 'n-1', created: false }),
});
const compiled = compileConfig(
  validateConfig({
    connector_id: 'acme',
    version: 1,
    sources: [{ name: 'shop' }],
    targets: [{ name: 'crm', kind: 'http', base_url: 'https://crm.example.test/api' }],
    flows: [
      {
        name: 'copy',
        source: 'shop',
        event_type: 'order',
        steps: [
          { id: 'map', action: 'transform', data: { id: '$.id', blob: '$.blob' } },
          {
            id: 'save',
            action: 'upsert',
            target: 'crm',
            entity: 'order',
            id_property: 'id',
            data: '$$.steps.map',
          },
        ],
      },
    ],
  }),
  { targetFactory: noopTargets },
);
const handler = createFlowWorkerHandler(process.env, {
  queue: 'inbound-sync',
  overrides: {
    configs: { get: () => compiled },
    emitter: { emit: () => Promise.resolve({ messageId: 'e-1' }) },
    deadLetter: { send: () => Promise.resolve() },
  },
});
const blob = 'x'.repeat(Number(process.env.BLOB_BYTES ?? 120_000));
const event = anSqsEvent(
  Array.from({ length: 10 }, (_, i) =>
    anSqsRecord({
      messageId: `m-${i}`,
      groupId: `g-${i % 3}`,
      body: JSON.stringify({
        connector_id: 'acme',
        source_name: 'shop',
        event_type: 'order',
        event_id: `evt-${i}`,
        payload: { id: `o-${i}`, blob },
      }),
    }),
  ),
);

await send({ invoking: true });
const response = await handler(
  event,
  lambdaContext('flow-worker-inbound-sync', Number(process.env.REMAINING_MS ?? 60_000)),
);
await send({ answered: true, failures: response.batchItemFailures.length });
process.disconnect();
