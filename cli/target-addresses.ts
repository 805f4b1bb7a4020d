import { InvalidArgumentError, Option } from 'commander';
import { TARGET_ADDRESS_RANGES, type TargetAddressRange } from '@flow-worker/runtime';

/**
 * `--allow-target-addresses <ranges>`: the address ranges targets may use besides public addresses,
 * as the deployment allows them (`allowPrivateTargetAddresses` on the construct sets `private`;
 * local runs whose targets are on this machine use `loopback`). `validate`, `publish` and `invoke`
 * check literal addresses in `base_url` against it, as the worker does when it loads a config.
 */
export function allowTargetAddressesOption(): Option {
  return new Option(
    '--allow-target-addresses <ranges>',
    `address ranges targets may use besides public ones, as the deployment allows: ${TARGET_ADDRESS_RANGES.join(', ')} (comma-separated)`,
  )
    .argParser(parseRanges)
    .default([]);
}

function parseRanges(value: string): TargetAddressRange[] {
  return value
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '')
    .map((word) => {
      const range = TARGET_ADDRESS_RANGES.find((candidate) => candidate === word);
      if (range === undefined) {
        throw new InvalidArgumentError(`expected some of ${TARGET_ADDRESS_RANGES.join(', ')}, got "${word}"`);
      }
      return range;
    });
}

/**
 * Commands that only read a config (`manifest`, `diff`) do not judge where its targets point: that
 * is the deployment's business. Link-local and metadata addresses are still refused, as everywhere.
 */
export const EVERY_TARGET_ADDRESS_RANGE: readonly TargetAddressRange[] = TARGET_ADDRESS_RANGES;
