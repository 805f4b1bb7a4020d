import { createFlowWorkerHandler } from '@flow-worker/runtime/lambda';

/**
 * The outbound-sync Lambda: consumes `outbound-sync.fifo`. Clients and config are built once per
 * container, at import; a missing environment variable fails the cold start naming it.
 */
export const handler = createFlowWorkerHandler(process.env, { queue: 'outbound-sync' });
