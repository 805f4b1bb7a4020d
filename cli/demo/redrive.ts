import { SQSClient } from '@aws-sdk/client-sqs';
import { NOT_FOUND_TTL_MS, sleep } from '@flow-worker/runtime';
import { redriveQueue } from '../dlq/redrive.js';
import type { RedriveRun } from '../run-report.js';
import type { DemoEnvironment } from './setup.js';

/** The connector whose messages the demo dead-letters for want of a config, then redrives. */
export const REDRIVEN_CONNECTOR = 'globex';

/**
 * What an operator does after fixing a cause: the demo publishes a config for `globex` (whose
 * message was dead-lettered because it had none) and redrives that connector's messages from
 * inbound-sync's dead-letter queue with the same code as `flow-worker dlq redrive`. It first waits
 * out how long a handler remembers that a connector has no config, as any real fix would take.
 */
export async function redriveAfterFix(env: DemoEnvironment): Promise<RedriveRun> {
  await env.publishAs(REDRIVEN_CONNECTOR);
  await sleep(NOT_FOUND_TTL_MS);
  const queueUrl = env.stack.deadLetterQueueUrl('inbound-sync');
  const sqs = new SQSClient({});
  try {
    const result = await redriveQueue(sqs, { queueUrl, connector: REDRIVEN_CONNECTOR }, { waitSeconds: 0 });
    return {
      note:
        `published the example config as connector "${REDRIVEN_CONNECTOR}" (its message was dead-lettered for want of one), ` +
        `waited ${NOT_FOUND_TTL_MS / 1000} s (a handler remembers a missing config that long), then:`,
      command: `flow-worker dlq redrive --queue-url ${queueUrl} --connector ${REDRIVEN_CONNECTOR}`,
      redriven: result.redriven,
      skipped: result.skipped,
      failed: result.failed,
      moves: result.moves.map((move) => ({
        message_id: move.entry.message_id,
        reason: move.entry.reason,
        connector: move.entry.connector,
        to: move.destination?.split('/').at(-1) ?? '(nowhere)',
      })),
    };
  } finally {
    sqs.destroy();
  }
}
