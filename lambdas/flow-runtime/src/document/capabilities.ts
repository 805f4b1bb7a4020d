import { RECORD_ACTIONS, TARGET_ACTIONS, type TargetAction, type TargetKind } from './config.js';
import { HUBSPOT_ENTITY_DESCRIPTION, isHubSpotEntity } from './hubspot-objects.js';

/**
 * What each target kind can do: the one place the validator and the targets read it from.
 * `entityDescription` is shown in validation messages.
 */
export const TARGET_CAPABILITIES = {
  hubspot: {
    actions: TARGET_ACTIONS,
    /** Standard objects (plural or singular), object type ids and custom object names. */
    accepts: isHubSpotEntity,
    entityDescription: HUBSPOT_ENTITY_DESCRIPTION,
  },
  http: {
    actions: RECORD_ACTIONS,
    accepts: (entity: string) => /^[A-Za-z0-9_.-]+$/.test(entity),
    entityDescription: 'a name made of letters, digits, "_", "." and "-"',
  },
} as const satisfies Record<
  TargetKind,
  {
    actions: readonly TargetAction[];
    accepts: (entity: string) => boolean;
    entityDescription: string;
  }
>;

/**
 * Why a target kind cannot run `action` on `entity` (and which field is at fault), or `undefined`
 * when it can.
 * @example targetCapabilityProblem('hubspot', 'upsert', 'company') // undefined
 */
export function targetCapabilityProblem(
  kind: TargetKind,
  action: string,
  entity: string,
): { readonly field: 'action' | 'entity'; readonly message: string } | undefined {
  const capability = TARGET_CAPABILITIES[kind];
  if (!(capability.actions as readonly string[]).includes(action)) {
    return {
      field: 'action',
      message: `a ${kind} target does not support action "${action}" (supported: ${capability.actions.join(', ')})`,
    };
  }
  if (!capability.accepts(entity)) {
    return {
      field: 'entity',
      message: `a ${kind} target does not support entity "${entity}" (expected ${capability.entityDescription})`,
    };
  }
  return undefined;
}
