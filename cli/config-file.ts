import {
  ConfigValidationError,
  validateConfig,
  type ConnectorConfig,
  type ValidationOptions,
} from '@flow-worker/runtime';
import { CliError } from './errors.js';
import { readJsonFile } from './io.js';

/** A config file that failed validation; the message lists every problem with its path. */
export class InvalidConfigFileError extends CliError {
  constructor(
    readonly file: string,
    readonly problems: ConfigValidationError['problems'],
    cause: ConfigValidationError,
  ) {
    super(`${file}: ${cause.message}`, { cause });
  }
}

/**
 * Reads, parses and validates a connector config file (`-` for stdin).
 * @throws JsonSyntaxError (with line and column) or InvalidConfigFileError (every problem)
 */
export async function loadConfigFile(path: string, options: ValidationOptions): Promise<ConnectorConfig> {
  const document = await readJsonFile(path);
  try {
    return validateConfig(document, options);
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new InvalidConfigFileError(path, error.problems, error);
    throw error;
  }
}
