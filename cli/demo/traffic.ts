import type { StoredMessage } from '../local/sqs-server.js';
import type { RecordedRequest } from '../local/json-http.js';
import { summarize, type QueuedMessage, type TargetCall } from '../run-report.js';

type Scalar = string | number | boolean | undefined;

function responseSummary(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const body = response as { id?: Scalar; results?: unknown[]; message?: Scalar; category?: Scalar };
  const first = Array.isArray(body.results)
    ? (body.results[0] as { id?: Scalar; new?: Scalar } | undefined)
    : undefined;
  if (first?.id !== undefined) return `id ${first.id}${first.new === true ? ' (created)' : ' (updated)'}`;
  if (body.id !== undefined) return `id ${body.id}`;
  if (body.message !== undefined) return summarize(`${body.category ?? 'error'}: ${body.message}`, 80);
  return undefined;
}

/** What a local target server received, as report lines. */
export function targetCalls(requests: readonly RecordedRequest[]): TargetCall[] {
  return requests.map((request) => {
    const response = responseSummary(request.response);
    return {
      request: `${request.method} ${request.path}`,
      status: request.status,
      ...(request.body === undefined ? {} : { body: summarize(request.body) }),
      ...(response === undefined ? {} : { response }),
    };
  });
}

/** A message of a local queue, as a report entry. */
export function queuedMessage(queue: string, message: StoredMessage): QueuedMessage {
  return {
    queue,
    message_id: message.messageId,
    ...(message.messageGroupId === undefined ? {} : { message_group_id: message.messageGroupId }),
    ...(message.messageDeduplicationId === undefined
      ? {}
      : { message_deduplication_id: message.messageDeduplicationId }),
    attributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [
        name,
        value.StringValue ?? value.BinaryValue ?? '',
      ]),
    ),
    body: message.body,
  };
}
