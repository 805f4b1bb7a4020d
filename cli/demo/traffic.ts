import type { StoredMessage } from '../local/sqs-server.js';
import type { RecordedRequest } from '../local/json-http.js';
import { summarize, type QueuedMessage, type TargetCall } from '../run-report.js';

type Scalar = string | number | boolean | undefined;

type Item = {
  id?: Scalar;
  new?: Scalar;
  from?: { id?: Scalar };
  to?: { id?: Scalar };
  fromObjectId?: Scalar;
  toObjectId?: Scalar;
};

/** One result of a batch answer: a record id (created or updated), or an association's pair. */
function itemSummary(item: Item): string | undefined {
  if (item.id !== undefined)
    return `${item.id}${item.new === true ? ' (created)' : item.new === false ? ' (updated)' : ''}`;
  const from = item.from?.id ?? item.fromObjectId;
  const to = item.to?.id ?? item.toObjectId;
  return from === undefined || to === undefined ? undefined : `${from} → ${to}`;
}

function responseSummary(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const body = response as {
    id?: Scalar;
    results?: unknown[];
    errors?: unknown[];
    message?: Scalar;
    category?: Scalar;
  };
  if (Array.isArray(body.results) && body.results.length > 0) {
    const items = (body.results as Item[]).map(itemSummary).filter((item) => item !== undefined);
    const failed =
      Array.isArray(body.errors) && body.errors.length > 0 ? `, ${body.errors.length} failed` : '';
    const associations = items.every((item) => item.includes('→'));
    if (items.length === 1 && failed === '') return `${associations ? 'associated' : 'id'} ${items[0]}`;
    const noun = associations ? 'associations' : 'records';
    return summarize(`${items.length} ${noun}${failed}: ${items.join(', ')}`, 100);
  }
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
