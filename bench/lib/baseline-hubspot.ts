import {
  createGuardedTransport,
  createHttpClient,
  PermanentError,
  type HttpResponse,
  type SecretProvider,
  type Target,
  type TargetFactory,
} from '@flow-worker/runtime';

/**
 * The baseline the HubSpot case compares with: the HubSpot target as it was before batching and
 * rate limiting. One `POST …/batch/upsert` with a single input per record, no limiter, and a 429
 * without `Retry-After` retried after exactly one rate-limit interval (from HubSpot's headers), so
 * concurrent callers told to wait retry together. Upserts only: that is all the case sends.
 */
export function oneRequestPerRecordFactory(secrets: SecretProvider): TargetFactory {
  // The local HubSpot runs on 127.0.0.1, allowed explicitly as for our own targets.
  const transport = createGuardedTransport({ allowTargetAddresses: ['loopback'] });
  return (definition): Target => {
    const baseUrl = definition.base_url ?? '';
    const label = `${definition.kind} target "${definition.name}"`;
    const client = createHttpClient({ label, retryAfterHint: intervalWhenSpent, fetch: transport });
    return {
      name: definition.name,
      kind: definition.kind,
      async execute(request) {
        if (request.action !== 'upsert' || definition.secret === undefined) {
          throw new PermanentError(`${label}: the baseline only upserts`);
        }
        const idProperty = request.idProperty ?? '';
        const response = await client.send({
          method: 'POST',
          url: `${baseUrl}/crm/v3/objects/${encodeURIComponent(request.entity)}/batch/upsert`,
          operation: `upsert ${request.entity}`,
          token: await secrets.getToken(definition.secret),
          body: {
            inputs: [{ idProperty, id: request.id, properties: stringProperties(request.data ?? {}) }],
          },
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
        const first = (response.body as { results?: { id?: string; new?: boolean }[] }).results?.[0];
        return { id: first?.id ?? '', created: first?.new === true };
      },
    };
  };
}

/** The old retry hint: a whole interval once HubSpot says nothing is left. */
function intervalWhenSpent(response: HttpResponse): number | undefined {
  const interval = Number(response.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
  const remaining = response.headers.get('x-hubspot-ratelimit-remaining');
  if (!Number.isFinite(interval) || interval <= 0 || remaining === null || Number(remaining) > 0)
    return undefined;
  return Math.ceil(interval / 1000);
}

function stringProperties(data: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]));
}
