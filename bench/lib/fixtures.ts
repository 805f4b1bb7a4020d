import type { SQSRecord } from 'aws-lambda';
import type { ConnectorConfigInput } from '@flow-worker/runtime';

/**
 * Configs, envelopes and SQS records shared by the cases. Every flow has the three steps the issue
 * asks for: a transform (field mapping), a filter on its result, and an upsert on a target.
 */

export const SOURCE_COUNT = 10;

/** Flows per connector in the handler cases (4 and 5); their records spread over all of them. */
export const HANDLER_FLOWS = 100;

export function sourceName(index: number): string {
  return `source_${index % SOURCE_COUNT}`;
}

/** Flow `i` listens on (`source_{i mod 10}`, `event_{floor(i / 10)}`): one flow per pair. */
export function pairOf(flowIndex: number): { source: string; eventType: string } {
  return { source: sourceName(flowIndex), eventType: `event_${Math.floor(flowIndex / SOURCE_COUNT)}` };
}

export interface ConfigOptions {
  readonly connectorId: string;
  readonly flows: number;
  /** The targets' base URL (only real http targets call it). */
  readonly baseUrl?: string;
  readonly version?: number;
}

/** A valid config with `flows` three-step flows spread over `flows` distinct (source, event_type) pairs. */
export function threeStepConfig(options: ConfigOptions): ConnectorConfigInput {
  const sources = Array.from({ length: Math.min(SOURCE_COUNT, options.flows) }, (_, i) => ({
    name: sourceName(i),
  }));
  return {
    connector_id: options.connectorId,
    version: options.version ?? 1,
    sources,
    targets: [{ name: 'crm', kind: 'http', base_url: options.baseUrl ?? 'https://crm.example.test/api' }],
    flows: Array.from({ length: options.flows }, (_, i) => {
      const { source, eventType } = pairOf(i);
      return {
        name: `flow_${i}`,
        source,
        event_type: eventType,
        steps: [
          {
            id: 'map',
            action: 'transform',
            data: {
              name: '$.company.name',
              domain: '$.company.domain',
              lifecycle: '$.company.lifecycle',
              employees: '$.company.employees',
              origin: 'bench',
              event: '$$.envelope.event_id',
            },
          },
          {
            id: 'customers_only',
            action: 'filter',
            condition: { path: '$$.steps.map.lifecycle', in: ['customer', 'lead'] },
          },
          {
            id: 'upsert',
            action: 'upsert',
            target: 'crm',
            entity: 'company',
            id_property: 'domain',
            data: '$$.steps.map',
          },
        ],
      };
    }),
  };
}

/** An envelope body (JSON text) for a pair; the payload passes the filter. */
export function envelopeBody(
  connectorId: string,
  source: string,
  eventType: string,
  sequence: number,
): string {
  return JSON.stringify({
    connector_id: connectorId,
    source_name: source,
    event_type: eventType,
    event_id: `evt-${sequence}`,
    occurred_at: '2026-11-24T10:00:00Z',
    payload: {
      company: {
        name: `Company ${sequence}`,
        domain: `company-${sequence % 500}.test`,
        lifecycle: sequence % 2 === 0 ? 'customer' : 'lead',
        employees: 10 + (sequence % 90),
        address: { city: 'Lyon', country: 'FR' },
      },
    },
  });
}

/** An SQS FIFO record as Lambda delivers it. */
export function sqsRecord(body: string, messageId: string, groupId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764000000000',
      SenderId: 'AIDEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1764000000000',
      SequenceNumber: '1',
      MessageGroupId: groupId,
      MessageDeduplicationId: messageId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:inbound-sync.fifo',
    awsRegion: 'us-east-1',
  };
}

/** A small, seeded pseudo-random generator (mulberry32): the same config on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  've',
  'zo',
  'pa',
  'qui',
  'ster',
  'ment',
  'tion',
  'ar',
  'el',
  'or',
  'ing',
  'da',
  'fe',
  'gu',
];

/**
 * A valid config whose flows differ as real ones do: made-up field names and paths, 4 to 11
 * mapped fields per flow, so it compresses about 5× (the three-step config, all alike, compresses
 * about 90×). About 700 bytes of JSON per flow.
 */
export function variedConfig(options: ConfigOptions): ConnectorConfigInput {
  const random = seeded(options.flows);
  const word = () =>
    Array.from(
      { length: 2 + Math.floor(random() * 3) },
      () => SYLLABLES[Math.floor(random() * SYLLABLES.length)],
    ).join('');
  const base = threeStepConfig({ ...options, flows: Math.min(SOURCE_COUNT, options.flows) });
  const flows = Array.from({ length: options.flows }, (_, i) => {
    const data: Record<string, string> = {};
    const fields = 4 + Math.floor(random() * 8);
    for (let f = 0; f < fields; f += 1) {
      data[`${word()}_${word()}_${f}`] = random() < 0.8 ? `$.payload.${word()}.${word()}` : word();
    }
    const [first = 'a', second = 'b'] = Object.keys(data);
    const { source, eventType } = pairOf(i);
    return {
      name: `${word()}_${word()}_${i}`,
      source,
      event_type: eventType,
      event_type_from: '$.event',
      steps: [
        { id: 'map', action: 'transform' as const, data },
        {
          id: 'only',
          action: 'filter' as const,
          condition: { path: `$$.steps.map.${first}`, in: [word(), word()] },
        },
        {
          id: 'upsert',
          action: 'upsert' as const,
          target: 'crm',
          entity: word(),
          id_property: second,
          data: '$$.steps.map',
        },
      ],
    };
  });
  return { ...base, flows };
}
