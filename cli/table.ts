import type { ConnectorConfig } from '@flow-worker/runtime';
import { CliError } from './errors.js';

export function readStoredConfig(table: string, connectorId: string): Promise<ConnectorConfig> {
  return Promise.reject(new CliError(`reading ${table}/${connectorId} is not available yet`));
}
