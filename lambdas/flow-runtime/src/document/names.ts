/**
 * The longest connector, source, target, flow and step name a config may use, and the longest
 * `connector_id` an envelope may carry. A connector id is the config table's partition key, which
 * DynamoDB caps at 2,048 bytes: 128 characters (at most 512 UTF-8 bytes) stay well within it, so a
 * config read can never fail on the key itself.
 */
export const MAX_NAME_LENGTH = 128;
