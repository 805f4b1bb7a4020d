import * as z from 'zod';
import { MAX_NAME_LENGTH } from './names.js';

/**
 * The connector config document: sources, targets and `flows[]`. This file is the single source
 * of truth for its shape; the TypeScript types are inferred from it and
 * `schema/connector-config.schema.json` is generated from it (`npm run schema`).
 *
 * Cross-field rules (unique names, references, JSONPath safety) live in `validate.ts`.
 */

/** Keys matching this pattern are customer annotations: allowed anywhere, ignored by the worker. */
export const EXTENSION_KEY_PATTERN = /^x-/;

/** Metadata marker read by the JSON Schema generator to emit `additionalProperties: false` + `x-*`. */
export const EXTENSIBLE_OBJECT_META = { 'flow-worker:extensible': true } as const;

/** The problem of a key that is neither a known field nor an `x-*` annotation. */
export function unknownFieldMessage(key: string, knownFields: readonly string[]): string {
  return `unknown field "${key}" (known fields: ${knownFields.join(', ')}; annotations must start with "x-")`;
}

/**
 * A strict object that also accepts `x-*` extension keys. Any other unknown key is an error, so a
 * typo (`enabeld`) cannot pass silently.
 */
function configObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z
    .looseObject(shape)
    .superRefine(
      (value, ctx) => {
        // `when` below also runs this on non-objects, which already have their type issue.
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
        for (const key of Object.keys(value)) {
          if (!Object.hasOwn(shape, key) && !EXTENSION_KEY_PATTERN.test(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: unknownFieldMessage(key, Object.keys(shape)),
            });
          }
        }
      },
      // Run even when a sibling field already failed: every problem is reported in one pass.
      { when: () => true },
    )
    .meta(EXTENSIBLE_OBJECT_META);
}

const name = (what: string) =>
  z
    .string({ error: `${what} must be a non-empty string` })
    .min(1, { error: `${what} must be a non-empty string` })
    .max(MAX_NAME_LENGTH, { error: `${what} must be at most ${MAX_NAME_LENGTH} characters` });

/**
 * A value in `data`, `id`, `group_id` or a condition `path`: a string starting with `$` is an
 * expression (see `expressions.ts`), anything else is a literal.
 */
export const JsonPathString = z
  .string()
  .min(1)
  .describe('A JSONPath: `$…` reads the event payload, `$$…` the run context.');

/** Any JSON value. One shared instance, so the generated JSON Schema defines it once. */
export const JsonValue = z.json();

/** `data`: one expression selecting an object, or a field mapping whose values are expressions or literals. */
export const DataSpec = z.union(
  [
    JsonPathString,
    z
      .record(z.string(), JsonValue)
      .describe('Field mapping: each value is an expression (`$…`/`$$…`) or a literal.'),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : 'must be an expression string ("$…" / "$$…") or a field mapping object',
  },
);
export type DataSpec = z.infer<typeof DataSpec>;

/**
 * A record id (`record_id` of update/delete) or `group_id`: an expression, or a literal string/number.
 * The record id cannot be called `id`: every step's `id` is its step id (`$$.steps.<id>`), and a JSON
 * object holds one `id`.
 */
export const IdSpec = z.union([z.string().min(1), z.number()], {
  error: (issue) =>
    issue.input === undefined
      ? 'is required'
      : 'must be an expression ("$…" / "$$…"), a non-empty string or a number',
});
export type IdSpec = z.infer<typeof IdSpec>;

export const ON_ERROR_MODES = ['fail', 'continue'] as const;
export const QUEUE_NAMES = ['inbound-sync', 'outbound-sync'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const RECORD_ACTIONS = ['upsert', 'create', 'update', 'delete'] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];
/** Everything a step can ask a target to do: the record actions, and linking two records. */
export const TARGET_ACTIONS = [...RECORD_ACTIONS, 'associate'] as const;
export type TargetAction = (typeof TARGET_ACTIONS)[number];
export const STEP_ACTIONS = [...TARGET_ACTIONS, 'transform', 'filter', 'emit'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** A filter condition: one comparison on `path`, or `all` / `any` of nested conditions. */
export interface Condition {
  path?: string | undefined;
  equals?: z.core.util.JSONType | undefined;
  not_equals?: z.core.util.JSONType | undefined;
  in?: z.core.util.JSONType[] | undefined;
  exists?: boolean | undefined;
  all?: Condition[] | undefined;
  any?: Condition[] | undefined;
}

const COMPARISONS = ['equals', 'not_equals', 'in', 'exists'] as const;
/** Every field a condition object may have. */
export const CONDITION_FIELDS = ['path', ...COMPARISONS, 'all', 'any'] as const;

export const Condition: z.ZodType<Condition> = configObject({
  path: JsonPathString.optional(),
  equals: JsonValue.optional(),
  not_equals: JsonValue.optional(),
  in: z.array(JsonValue).optional(),
  exists: z.boolean().optional(),
  get all(): z.ZodOptional<z.ZodArray<z.ZodType<Condition>>> {
    return z.array(Condition).min(1).optional();
  },
  get any(): z.ZodOptional<z.ZodArray<z.ZodType<Condition>>> {
    return z.array(Condition).min(1).optional();
  },
}).superRefine(
  (c, ctx) => {
    const comparisons = COMPARISONS.filter((k) => c[k] !== undefined);
    const groups = (['all', 'any'] as const).filter((k) => c[k] !== undefined);
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (groups.length > 0) {
      if (groups.length > 1 || comparisons.length > 0 || c.path !== undefined) {
        fail('a condition is either one of "all" / "any", or a "path" with one comparison; not both');
      }
      return;
    }
    if (c.path === undefined)
      fail('a condition needs "path" (with one of equals, not_equals, in, exists) or "all" / "any"');
    if (comparisons.length !== 1) {
      fail(
        `a condition on "path" needs exactly one of ${COMPARISONS.join(', ')} (found ${comparisons.length === 0 ? 'none' : comparisons.join(', ')})`,
      );
    }
  },
  { when: () => true },
);

const stepBase = {
  id: name('step id'),
  on_error: z.enum(ON_ERROR_MODES).default('fail'),
};

const recordStepBase = {
  ...stepBase,
  target: name('target'),
  entity: name('entity'),
};

export const UpsertStep = configObject({
  ...recordStepBase,
  action: z.literal('upsert'),
  data: DataSpec,
  id_property: name('id_property'),
});
export const CreateStep = configObject({ ...recordStepBase, action: z.literal('create'), data: DataSpec });
export const UpdateStep = configObject({
  ...recordStepBase,
  action: z.literal('update'),
  /** The record to update: an expression or a literal (`id` is taken by the step id). */
  record_id: IdSpec,
  data: DataSpec,
  id_property: name('id_property').optional(),
});
export const DeleteStep = configObject({
  ...recordStepBase,
  action: z.literal('delete'),
  /** The record to delete: an expression or a literal (`id` is taken by the step id). */
  record_id: IdSpec,
  id_property: name('id_property').optional(),
});
/** HubSpot's association categories (v4 `associationCategory`). */
export const ASSOCIATION_CATEGORIES = ['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED'] as const;
export type AssociationCategory = (typeof ASSOCIATION_CATEGORIES)[number];

/** One end of an association: the record's object type and its id. */
export const AssociationEnd = configObject({
  entity: name('entity'),
  /** The record's id: an expression or a literal (usually `$$.steps.<upsert>.id`). */
  record_id: IdSpec,
});

const associationTypeId = z
  .number({ error: 'an association type id must be a positive integer' })
  .int({ error: 'an association type id must be a positive integer' })
  .positive({ error: 'an association type id must be a positive integer' });

/**
 * A labelled association: a bare number is a `HUBSPOT_DEFINED` association type id (e.g. 279,
 * contact to company), the object form names the category too (labels a portal defined itself are
 * `USER_DEFINED`).
 */
export const AssociationLabel = z.union(
  [associationTypeId, configObject({ category: z.enum(ASSOCIATION_CATEGORIES), type_id: associationTypeId })],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : `must be an association type id (a number) or { "category": ${ASSOCIATION_CATEGORIES.map((c) => `"${c}"`).join(' | ')}, "type_id": <number> }`,
  },
);
export type AssociationLabel = z.infer<typeof AssociationLabel>;

export const AssociateStep = configObject({
  ...stepBase,
  action: z.literal('associate'),
  target: name('target'),
  from: AssociationEnd,
  to: AssociationEnd,
  /** No label: HubSpot's default association between the two object types. */
  label: AssociationLabel.optional(),
});
export const TransformStep = configObject({ ...stepBase, action: z.literal('transform'), data: DataSpec });
export const FilterStep = configObject({ ...stepBase, action: z.literal('filter'), condition: Condition });
export const EmitStep = configObject({
  ...stepBase,
  action: z.literal('emit'),
  queue: z.enum(QUEUE_NAMES),
  source: name('source'),
  event_type: name('event_type'),
  data: DataSpec,
  group_id: IdSpec.optional(),
});

export const Step = z.discriminatedUnion(
  'action',
  [UpsertStep, CreateStep, UpdateStep, DeleteStep, AssociateStep, TransformStep, FilterStep, EmitStep],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `action must be one of ${STEP_ACTIONS.join(', ')}` : undefined,
  },
);
export type Step = z.infer<typeof Step>;
export type RecordStep = Extract<Step, { action: RecordAction }>;
export type StepOf<A extends StepAction> = Extract<Step, { action: A }>;

export const Source = configObject({ name: name('source name'), description: z.string().optional() });
export type Source = z.infer<typeof Source>;

export const TARGET_KINDS = ['hubspot', 'http'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

const timeoutMs = z.number().int().min(100).max(900_000).optional();

export const HubSpotTargetDefinition = configObject({
  name: name('target name'),
  kind: z.literal('hubspot'),
  /** Secrets Manager secret holding the private-app token. */
  secret: name('secret'),
  /** @default https://api.hubapi.com */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  timeout_ms: timeoutMs,
});
export const HttpTargetDefinition = configObject({
  name: name('target name'),
  kind: z.literal('http'),
  base_url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
  /** Secrets Manager secret sent as a bearer token. */
  secret: name('secret').optional(),
  /** Path per entity, relative to base_url. @default `/{entity}` */
  paths: z.record(z.string(), z.string().startsWith('/')).optional(),
  timeout_ms: timeoutMs,
});
export const TargetDefinition = z.discriminatedUnion(
  'kind',
  [HubSpotTargetDefinition, HttpTargetDefinition],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `kind must be one of ${TARGET_KINDS.join(', ')}` : undefined,
  },
);
export type TargetDefinition = z.infer<typeof TargetDefinition>;
export type HubSpotTargetDefinition = z.infer<typeof HubSpotTargetDefinition>;
export type HttpTargetDefinition = z.infer<typeof HttpTargetDefinition>;

/** A flow: the seed's fields exactly. */
export const Flow = configObject({
  name: name('flow name'),
  source: name('source'),
  event_type: name('event_type'),
  /** Declarative hint, persisted and projected into manifests; never evaluated by the worker. */
  event_type_from: JsonPathString.nullable().default(null),
  enabled: z.boolean().default(true),
  steps: z.array(Step).min(1, { error: 'a flow needs at least one step' }),
});
export type Flow = z.infer<typeof Flow>;

export const ConnectorConfig = configObject({
  connector_id: name('connector_id'),
  version: z.number().int().min(1, { error: 'version must be a positive integer' }),
  sources: z.array(Source),
  targets: z.array(TargetDefinition).default([]),
  flows: z.array(Flow),
});
/** A parsed config: defaults applied (`enabled`, `event_type_from`, `on_error`, `targets`). */
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;
/** A config as written by a customer, before defaults. */
export type ConnectorConfigInput = z.input<typeof ConnectorConfig>;
