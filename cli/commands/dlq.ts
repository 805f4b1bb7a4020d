import { SQSClient } from '@aws-sdk/client-sqs';
import { Option, type Command } from 'commander';
import { action } from '../action.js';
import { formatList, formatRedrive } from '../dlq/format.js';
import { DLQ_REASONS, listQueue, type DlqEntry, type DlqFilters } from '../dlq/messages.js';
import { redriveQueue } from '../dlq/redrive.js';
import { CliError, EXIT } from '../errors.js';
import { printJson } from '../io.js';

interface ListOptions extends DlqFilters {
  readonly queueUrl: string;
  readonly json?: boolean;
}

interface RedriveCommandOptions extends ListOptions {
  readonly to?: string;
  readonly dryRun?: boolean;
}

const queueNameOf = (url: string) => url.split('/').at(-1) ?? url;

/** SQS errors an operator can act on, in one line; anything else as it is. */
function explained(error: unknown, queueUrl: string): unknown {
  const name = error instanceof Error ? error.name : '';
  if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
    return new CliError(`queue ${queueUrl} does not exist`, { cause: error });
  }
  return error;
}

/** Tells, on stderr, about messages a scan could not reach (FIFO groups behind unmoved messages). */
function noteUnreached(unreached: number): void {
  if (unreached === 0) return;
  process.stderr.write(
    `flow-worker: ${unreached} more message(s) were not reached: on a FIFO queue a message group's later messages become visible only once its earlier ones have left the queue\n`,
  );
}

async function list(options: ListOptions): Promise<number> {
  const client = new SQSClient({});
  let entries: readonly DlqEntry[];
  try {
    const listing = await listQueue(client, options.queueUrl, options);
    entries = listing.entries;
    noteUnreached(listing.unreached);
  } catch (error) {
    throw explained(error, options.queueUrl);
  } finally {
    client.destroy();
  }
  if (options.json === true) printJson({ messages: entries });
  else process.stdout.write(formatList(queueNameOf(options.queueUrl), entries));
  return EXIT.ok;
}

async function redrive(options: RedriveCommandOptions): Promise<number> {
  const client = new SQSClient({});
  try {
    const result = await redriveQueue(client, options);
    noteUnreached(result.unreached);
    if (options.json === true) {
      printJson({
        redriven: result.redriven,
        skipped: result.skipped,
        failed: result.failed,
        ...(options.dryRun === true ? { dry_run: true } : {}),
      });
    } else {
      process.stdout.write(formatRedrive(queueNameOf(options.queueUrl), result, options.dryRun === true));
    }
    return result.failed === 0 ? EXIT.ok : EXIT.failure;
  } catch (error) {
    throw explained(error, options.queueUrl);
  } finally {
    client.destroy();
  }
}

/** `--queue-url` and the filters, shared by both subcommands. */
function withFilters(command: Command): Command {
  return command
    .requiredOption('--queue-url <url>', 'the dead-letter queue (default AWS credentials and region)')
    .addOption(new Option('--reason <error_class>', 'only messages with this reason').choices(DLQ_REASONS))
    .option('--connector <id>', 'only messages of this connector')
    .option('--flow <name>', 'only messages whose failing flow is this one')
    .option('--json', 'print the result as JSON');
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('list a dead-letter queue by reason, connector and flow, and redrive chosen messages');
  withFilters(
    dlq.command('list').description('list the messages of a dead-letter queue without removing them'),
  )
    .addHelpText(
      'after',
      `
Reasons: the error_class attribute (poison, permanent, exhausted), or unknown for a message SQS moved
itself after maxReceiveCount receives. The queue is reached with the default AWS credential chain
and region; AWS_ENDPOINT_URL_SQS points it elsewhere.`,
    )
    .action(action((options: ListOptions) => list(options)));
  withFilters(
    dlq
      .command('redrive')
      .description('move the chosen messages of a dead-letter queue back to the queue they came from'),
  )
    .option('--to <queue url>', "where to send them (default: each message's source_queue, next to the DLQ)")
    .option('--dry-run', 'list what would be moved; move nothing')
    .addHelpText(
      'after',
      `
Each message keeps its body, message group and attributes, and is deleted from the dead-letter
queue only after its send succeeded. Run an interrupted redrive again within 5 minutes: the resends
are deduplicated. Exit status: 0 when nothing failed, 1 otherwise.`,
    )
    .action(
      action((options: RedriveCommandOptions) => {
        if (options.to !== undefined && !/^https?:\/\//.test(options.to)) {
          throw new CliError(`--to must be a queue URL, got "${options.to}"`, { exitCode: EXIT.usage });
        }
        return redrive(options);
      }),
    );
}
