import { publishConfig } from '@flow-worker/runtime';
import { startHttpTargetServer, type LocalHttpTarget } from '../local/http-target-server.js';
import { startHubSpotServer, type LocalHubSpot } from '../local/hubspot-server.js';
import type { JsonRequest } from '../local/json-http.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';

/** Tokens the local targets accept; the local Secrets Manager hands them to the handlers. */
export const DEMO_SECRETS = {
  hubspot: { name: 'flow-worker/acme/hubspot', token: 'pat-local-demo' },
  erp: { name: 'flow-worker/acme/erp', token: 'erp-local-demo' },
} as const;

/** Records about this company make the local HubSpot answer 503, to show a retryable failure. */
export const UNAVAILABLE_DOMAIN = 'unavailable.test';

export interface DemoEnvironment {
  readonly stack: LocalStack;
  readonly hubspot: LocalHubSpot;
  readonly erp: LocalHttpTarget;
  readonly notes: string[];
  /** Publishes the example config, targets rewritten, as the config of another connector. */
  publishAs(connectorId: string): Promise<void>;
  close(): Promise<void>;
}

function unavailable(request: JsonRequest) {
  const mentions =
    JSON.stringify(request.body ?? '').includes(UNAVAILABLE_DOMAIN) ||
    request.url.pathname.includes(UNAVAILABLE_DOMAIN);
  if (!mentions) return undefined;
  return {
    status: 503,
    body: {
      status: 'error',
      message: 'Service Unavailable (local demo fault)',
      category: 'SERVICE_UNAVAILABLE',
    },
  };
}

type TargetDocument = { name: string; kind: string; base_url?: string };

/**
 * Points every target of the config at the local servers: hubspot targets at the local HubSpot,
 * http targets at the local REST server (keeping the URL's path, e.g. `/api/v1`).
 */
function rewriteTargets(document: Record<string, unknown>, hubspotUrl: string, httpUrl: string): string[] {
  const notes: string[] = [];
  for (const target of (document.targets ?? []) as TargetDocument[]) {
    const before = target.base_url;
    const path = before === undefined ? '' : new URL(before).pathname.replace(/\/$/, '');
    target.base_url = target.kind === 'hubspot' ? hubspotUrl : `${httpUrl}${path}`;
    notes.push(
      `  target "${target.name}" (${target.kind}): ${before ?? '(default https://api.hubapi.com)'} → ${target.base_url}`,
    );
  }
  return notes;
}

/**
 * Starts everything the demo needs on 127.0.0.1 and publishes the example config with its targets
 * rewritten to the local servers.
 */
export async function startDemoEnvironment(
  configFile: string,
  document: Record<string, unknown>,
): Promise<DemoEnvironment> {
  const stack = await startLocalStack({
    [DEMO_SECRETS.hubspot.name]: DEMO_SECRETS.hubspot.token,
    [DEMO_SECRETS.erp.name]: JSON.stringify({ token: DEMO_SECRETS.erp.token }),
  });
  const hubspot = await startHubSpotServer({ token: DEMO_SECRETS.hubspot.token, fault: unavailable });
  const erp = await startHttpTargetServer({ token: DEMO_SECRETS.erp.token });
  const rewritten = structuredClone(document);
  const targetNotes = rewriteTargets(rewritten, hubspot.url, erp.url);
  // The targets were just pointed at 127.0.0.1: publish allowing loopback, as the handlers run.
  const local = { allowTargetAddresses: ['loopback'] } as const;
  const published = await publishConfig(stack.table, rewritten, { manifests: stack.manifests, ...local });
  const notes = [
    `DynamoDB (dynalite)      ${stack.dynamodbEndpoint}  table ${stack.table.tableName}, manifests table ${stack.manifests.tableName}`,
    `SQS (local)              ${stack.sqs.endpoint}  inbound-sync.fifo, outbound-sync.fifo and their -dlq.fifo queues`,
    `Secrets Manager (local)  ${stack.secrets.endpoint}  ${DEMO_SECRETS.hubspot.name}, ${DEMO_SECRETS.erp.name}`,
    `HubSpot CRM v3 (local)   ${hubspot.url}  (objects, batches, associations v4, 100 requests per 10 s; answers 503 for ${UNAVAILABLE_DOMAIN}, to show a retryable failure)`,
    `ERP REST API (local)     ${erp.url}`,
    `published ${configFile} as connector "${published.connectorId}" version ${published.version} (and its manifest), target base_url rewritten to the local servers:`,
    ...targetNotes,
    `targets on 127.0.0.1 (loopback) are allowed explicitly, as in any local run: ALLOW_TARGET_ADDRESSES=loopback`,
  ];
  return {
    stack,
    hubspot,
    erp,
    notes,
    publishAs: async (connectorId) => {
      await publishConfig(stack.table, { ...rewritten, connector_id: connectorId }, local);
    },
    close: async () => {
      await Promise.all([hubspot.close(), erp.close()]);
      await stack.close();
    },
  };
}
