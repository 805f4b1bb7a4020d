import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ConfigNotFoundError,
  ConfigTooLargeError,
  ConfigValidationError,
  ConfigVersionConflictError,
  ConfigVersionNotFoundError,
  StoredConfigUnreadableError,
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

/** The config table and, when named, the manifests table, on one client. */
export interface OpenTables {
  readonly config: ConfigTable;
  readonly manifests?: ConfigTable;
  close(): void;
}

export function openTables(configTable: string, manifestsTable?: string): OpenTables {
  const config = openConfigTable(configTable);
  const manifests =
    manifestsTable === undefined ? {} : { manifests: { client: config.client, tableName: manifestsTable } };
  return { config, ...manifests, close: () => config.dynamodb.destroy() };
}

/** The first error in a cause chain with this name (the SDK's `ResourceNotFoundException`, …). */
function causeNamed(error: unknown, name: string): Error | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === name) return cause;
  }
  return undefined;
}

/**
 * What a failed table command tells the user: the runtime's own errors say what happened in one
 * line; a missing table is named. Anything else is rethrown as it is.
 */
export function tableError(error: unknown, tables: readonly (string | undefined)[]): unknown {
  const missing = causeNamed(error, 'ResourceNotFoundException');
  if (missing !== undefined) {
    const names = tables.filter((t) => t !== undefined).join(' or ');
    return new CliError(`table ${names} does not exist (${missing.message})`, { cause: error });
  }
  const oneLine = [
    ConfigNotFoundError,
    ConfigVersionConflictError,
    ConfigVersionNotFoundError,
    ConfigTooLargeError,
    StoredConfigUnreadableError,
  ];
  if (oneLine.some((type) => error instanceof type)) {
    return new CliError((error as Error).message, { cause: error });
  }
  return error;
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
  } catch (error) {
    throw tableError(error, [tableName]);
  } finally {
    table.dynamodb.destroy();
  }
}
