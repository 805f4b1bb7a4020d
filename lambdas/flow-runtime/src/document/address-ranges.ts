/**
 * The ranges a deployment may open on top of public addresses (see `target-address.ts`). A module
 * of its own, with no imports: the handler reads it at init, before anything needs `node:net`.
 */
export const TARGET_ADDRESS_RANGES = ['private', 'loopback'] as const;
export type TargetAddressRange = (typeof TARGET_ADDRESS_RANGES)[number];
