import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ConfigValidationError,
  readConfigItem,
  validateConfig,
  type ConfigTable,
  type ConnectorConfig,
} from '@flow-worker/runtime';
import { CliError } from './errors.js';
import { EVERY_TARGET_ADDRESS_RANGE } from './target-addresses.js';

/**
 * The config table through the default AWS credential chain and region; `AWS_ENDPOINT_URL_DYNAMODB`
 * points it at a local emulator.
 */
export function openConfigTable(tableName: string): ConfigTable & { readonly dynamodb: DynamoDBClient } {
  const dynamodb = new DynamoDBClient({});
  const client = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return { client, tableName, dynamodb };
}

/**
 * The published config of a connector, validated.
 * @throws CliError when there is none or the stored document is invalid
 */
export async function readStoredConfig(tableName: string, connectorId: string): Promise<ConnectorConfig> {
  const table = openConfigTable(tableName);
  try {
    const item = await readConfigItem(table, connectorId);
    if (item === undefined) {
      throw new CliError(`table ${tableName} has no published config for connector "${connectorId}"`);
    }
    try {
      // Read to compare or to run locally: where targets point is the deployment's business.
      return validateConfig(item.config, { allowTargetAddresses: EVERY_TARGET_ADDRESS_RANGE });
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      throw new CliError(
        `the config stored in ${tableName} for "${connectorId}" is invalid: ${error.message}`,
        {
          cause: error,
        },
      );
    }
  } finally {
    table.dynamodb.destroy();
  }
}
