import type { ConnectorConfig, Flow } from '../document/config.js';
import { buildFlowIndex } from './matcher.js';
import { compileStep, type CompiledStep } from './steps.js';
import type { Target, TargetFactory } from '../targets/target.js';

export type { CompiledStep } from './steps.js';

/** A flow with its steps compiled. */
export interface CompiledFlow {
  readonly name: string;
  readonly source: string;
  readonly event_type: string;
  readonly enabled: boolean;
  readonly definition: Flow;
  readonly steps: readonly CompiledStep[];
}

/**
 * Everything that depends only on one config version, built once and reused for every message:
 * the matcher index, compiled expressions and conditions of every step, and one target instance
 * per `targets[]` definition.
 */
export interface CompiledConfig {
  readonly connectorId: string;
  readonly version: number;
  readonly config: ConnectorConfig;
  readonly targets: ReadonlyMap<string, Target>;
  /** Enabled flows whose source and event type equal the arguments, in declared order. */
  matchFlows(sourceName: string, eventType: string): readonly CompiledFlow[];
}

export interface CompileOptions {
  /** Builds one target per definition (real clients in Lambda, recorders in tests and dry runs). */
  readonly targetFactory: TargetFactory;
}

/**
 * Compiles a validated config (see `validateConfig`). The matcher index and the targets are built
 * now; a flow's steps are compiled the first time the flow is matched (or its `steps` read), once.
 * A config of 30,000 flows whose messages reach a few hundred of them then holds a few hundred
 * compiled flows, not 30,000: compiled steps take about 10 times the memory of their definition
 * (docs/performance.md). Validation has already parsed every expression, so a deferred compile
 * cannot fail on the config's content.
 *
 * @example
 * const compiled = compileConfig(validateConfig(document), { targetFactory });
 * const outcome = await runFlows(compiled, envelope, meta, { emitter });
 */
export function compileConfig(config: ConnectorConfig, options: CompileOptions): CompiledConfig {
  const targets = new Map<string, Target>();
  for (const definition of config.targets) {
    if (!targets.has(definition.name)) targets.set(definition.name, options.targetFactory(definition));
  }
  const flows = config.flows.map((flow) => lazyFlow(flow, config.connector_id, targets));
  const index = buildFlowIndex(flows);
  return {
    connectorId: config.connector_id,
    version: config.version,
    config,
    targets,
    matchFlows: (sourceName, eventType) => index.match(sourceName, eventType),
  };
}

/** A flow whose steps are compiled on first use. */
function lazyFlow(flow: Flow, connector: string, targets: ReadonlyMap<string, Target>): CompiledFlow {
  let steps: readonly CompiledStep[] | undefined;
  return {
    name: flow.name,
    source: flow.source,
    event_type: flow.event_type,
    enabled: flow.enabled,
    definition: flow,
    get steps() {
      steps ??= flow.steps.map((step) => compileStep(step, { connector, flow: flow.name, targets }));
      return steps;
    },
  };
}
