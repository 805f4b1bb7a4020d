import { createFlowWorkerHandler } from '@flow-worker/runtime/lambda';

/**
 * The inbound-sync Lambda: consumes `inbound-sync.fifo`. Clients and config are built once per
 * container, at import; a missing environment variable fails the cold start naming it.
 */
export const handler = createFlowWorkerHandler(process.env, { queue: 'inbound-sync' });
