import {
  compileConfig,
  createRecordingTargets,
  createTargetFactory,
  processFifoBatch,
  runFlows,
  validateConfig,
  type BatchOptions,
  type CompiledConfig,
  type ConnectorConfigInput,
  type RunReport,
  type TargetFactoryOptions,
} from '@flow-worker/runtime';
import { afterEach } from 'vitest';
import {
  startHubSpotServer,
  type HubSpotServerOptions,
  type LocalHubSpot,
} from '../../cli/local/hubspot-server.js';

/** The local HubSpot runs on 127.0.0.1: allowed explicitly, as in any local run. */
const LOCAL_TARGETS = { allowTargetAddresses: ['loopback'] } as const;

export const HUBSPOT_TOKEN = 'pat-local-test';

/**
 * A starter of local HubSpot servers for one test file; every server it started is closed after
 * each test. Call it at the top level of the file.
 */
export function localHubSpots(): (options?: HubSpotServerOptions) => Promise<LocalHubSpot> {
  const servers: LocalHubSpot[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (options = {}) => {
    const server = await startHubSpotServer(options);
    servers.push(server);
    return server;
  };
}

type Steps = ConnectorConfigInput['flows'][number]['steps'];

/** A config with one flow (`test_flow`, on source `crm` / event `change`) running `steps` against the local HubSpot. */
export function compileFor(
  hubspot: LocalHubSpot,
  steps: Steps,
  factory: Partial<TargetFactoryOptions> = {},
): CompiledConfig {
  const config = validateConfig(
    {
      connector_id: 'acme',
      version: 1,
      sources: [{ name: 'crm' }],
      targets: [{ name: 'hubspot', kind: 'hubspot', secret: 'hubspot-token', base_url: hubspot.url }],
      flows: [{ name: 'test_flow', source: 'crm', event_type: 'change', steps }],
    },
    LOCAL_TARGETS,
  );
  const targetFactory = createTargetFactory({
    secrets: { getToken: () => Promise.resolve(HUBSPOT_TOKEN) },
    ...LOCAL_TARGETS,
    ...factory,
  });
  return compileConfig(config, { targetFactory });
}

/** One message of a batch: its group and its event payload. */
export interface Message {
  readonly group: string;
  readonly payload: unknown;
}

/** What each message's run reported, in message order. */
export interface BatchRun {
  readonly reports: readonly RunReport[];
  readonly errors: readonly (Error | undefined)[];
}

/**
 * Runs the messages as one SQS batch does: groups concurrently, each group's messages one after
 * another (`processFifoBatch`), each through `runFlows`.
 */
export async function runBatchOf(
  compiled: CompiledConfig,
  messages: readonly Message[],
  options: BatchOptions = {},
): Promise<BatchRun> {
  const reports: RunReport[] = new Array<RunReport>(messages.length);
  const errors: (Error | undefined)[] = new Array<Error | undefined>(messages.length);
  const records = messages.map((message, index) => ({
    messageId: `m-${index}`,
    attributes: { MessageGroupId: message.group },
    index,
  }));
  const emitter = createRecordingTargets().emitter;
  await processFifoBatch(
    records,
    async (record) => {
      const message = messages[record.index];
      const envelope = {
        connector_id: 'acme',
        source_name: 'crm',
        event_type: 'change',
        event_id: `evt-${record.index}`,
        payload: message?.payload ?? null,
      };
      const outcome = await runFlows(
        compiled,
        envelope,
        { messageId: record.messageId, messageGroupId: message?.group ?? '' },
        { emitter },
      );
      reports[record.index] = outcome.report;
      errors[record.index] = outcome.error;
      return outcome.error === undefined
        ? { status: 'succeeded' }
        : { status: 'failed', error: outcome.error };
    },
    options,
  );
  return { reports, errors };
}

/** A step's result in a run report. */
export function stepResult(report: RunReport | undefined, stepId: string): unknown {
  return report?.flows[0]?.steps.find((step) => step.id === stepId)?.result;
}

/** The HTTP calls (method and path) the local HubSpot received, in order, from the `from`-th on. */
export function callsTo(hubspot: LocalHubSpot, from = 0): string[] {
  return hubspot.requests
    .slice(from)
    .map((request) => `${request.method} ${request.path.split('?')[0] ?? ''}`);
}
