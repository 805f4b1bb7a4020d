import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import { Envelope, QUEUE_NAMES, type QueueName } from '@flow-worker/runtime';
import { action, positiveInteger } from '../action.js';
import { CliError, EXIT } from '../errors.js';
import { printJson, readJsonFile } from '../io.js';
import { fifoEvent } from '../sqs-event.js';

interface GenerateEventOptions {
  readonly queue: QueueName;
  readonly connector: string;
  readonly source: string;
  readonly type: string;
  readonly payload: string;
  readonly group?: string;
  readonly count: number;
  readonly eventId?: string;
}

/** The event ids of `count` events: the given id (suffixed `-1`…`-N` when several), or random ones. */
function eventIds(count: number, given: string | undefined): string[] {
  if (given !== undefined)
    return count === 1 ? [given] : Array.from({ length: count }, (_, i) => `${given}-${i + 1}`);
  return Array.from({ length: count }, () => `evt-${randomUUID()}`);
}

async function generateEvent(options: GenerateEventOptions): Promise<number> {
  const payload = await readJsonFile(options.payload);
  const occurredAt = new Date().toISOString();
  const messages = eventIds(options.count, options.eventId).map((eventId) => {
    const parsed = Envelope.safeParse({
      connector_id: options.connector,
      source_name: options.source,
      event_type: options.type,
      event_id: eventId,
      occurred_at: occurredAt,
      payload,
    });
    if (!parsed.success) throw new CliError(`cannot build a valid envelope: ${parsed.error.message}`);
    return {
      body: JSON.stringify(parsed.data),
      messageGroupId: options.group ?? options.connector,
      // Producers deduplicate on the event id: a resend of the same event is dropped by SQS.
      messageDeduplicationId: eventId,
    };
  });
  printJson(fifoEvent(options.queue, messages));
  return EXIT.ok;
}

export function registerGenerateEvent(program: Command): void {
  program
    .command('generate-event')
    .description('print an SQS FIFO event (for `invoke` and tests) whose records carry one envelope each')
    .addOption(
      new Option('--queue <queue>', 'the queue the event comes from')
        .choices(QUEUE_NAMES)
        .makeOptionMandatory(),
    )
    .requiredOption('--connector <id>', 'connector_id of the envelope')
    .requiredOption('--source <name>', 'source_name of the envelope')
    .requiredOption('--type <event_type>', 'event_type of the envelope')
    .requiredOption('--payload <file>', 'JSON file with the payload, or - for stdin')
    .option('--group <id>', 'MessageGroupId (default: the connector id)')
    .option('--count <n>', 'number of records (event ids get -1…-N)', positiveInteger('--count'), 1)
    .option('--event-id <id>', 'event_id and MessageDeduplicationId (default: a random evt-<uuid>)')
    .addHelpText(
      'after',
      `
Example:
  echo '{"event":"upsert_company","payload":{"name":"Acme","domain":"acme.test"}}' |
    flow-worker generate-event --queue inbound-sync --connector acme \\
      --source compass_inbound --type upsert_company --payload - > event.json`,
    )
    .action(action((options: GenerateEventOptions) => generateEvent(options)));
}
