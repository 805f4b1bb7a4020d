import type { AssociationLabel, StepOf } from '../document/config.js';
import { compileValue } from '../document/values.js';
import type { ErrorContext } from '../errors.js';
import type { AssociateRequest, AssociationType } from '../targets/target.js';
import type { StepInput, StepOutcome, StepPlace } from './steps.js';
import { missingTarget, resolveId } from './step-values.js';

/** A label as the target takes it: a bare number is a `HUBSPOT_DEFINED` association type id. */
export function associationType(label: AssociationLabel | undefined): AssociationType | undefined {
  if (label === undefined) return undefined;
  if (typeof label === 'number') return { category: 'HUBSPOT_DEFINED', typeId: label };
  return { category: label.category, typeId: label.type_id };
}

/**
 * `associate`: links the `from` record to the `to` record (the default association of their object
 * types, or the labelled one). Both ids are resolved before the request; the result is
 * `{ from_id, to_id }`. Associating records that already are associated succeeds.
 */
export function compileAssociate(
  step: StepOf<'associate'>,
  place: StepPlace,
  context: ErrorContext,
): (input: StepInput) => Promise<StepOutcome> {
  const where = `flow "${place.flow}" step "${step.id}"`;
  const fromId = compileValue(step.from.record_id);
  const toId = compileValue(step.to.record_id);
  const type = associationType(step.label);
  const target = place.targets.get(step.target);

  return async (input) => {
    if (target === undefined) throw missingTarget(where, step.target, context);
    const from = resolveId(fromId, input.scope, where, context, 'from.record_id');
    const to = resolveId(toId, input.scope, where, context, 'to.record_id');
    const request: AssociateRequest = {
      action: 'associate',
      from: { entity: step.from.entity, id: from },
      to: { entity: step.to.entity, id: to },
      ...(type === undefined ? {} : { type }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    };
    await input.retry(() => target.execute(request));
    return { result: { from_id: from, to_id: to } };
  };
}
