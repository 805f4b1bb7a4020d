import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkpointAdvanced,
  checkpointOf,
  compileConfig,
  createRecordingTargets,
  errorClassOf,
  idempotencyKeyOf,
  parseEnvelope,
  PermanentError,
  RetryableError,
  runFlows,
  validateConfig,
  type ConnectorConfigInput,
  type RetryPolicy,
  type RunCheckpoint,
  type TargetFactory,
} from '@flow-worker/runtime';
import { aConfig, aFlow, anEnvelope, aStep, META } from '../fixtures.js';

/** Validates and compiles a config against recording targets; returns what a test needs. */
function setUp(document: ConnectorConfigInput = aConfig()) {
  const recording = createRecordingTargets();
  const compiled = compileConfig(validateConfig(document), { targetFactory: recording.factory });
  const run = (envelope = anEnvelope(), retry?: RetryPolicy, resume?: RunCheckpoint) =>
    runFlows(compiled, envelope, META, {
      emitter: recording.emitter,
      now: () => Date.parse('2026-11-25T00:00:00Z'),
      ...(retry === undefined ? {} : { retry }),
      ...(resume === undefined ? {} : { resume }),
    });
  return { recording, compiled, run };
}

const step = (overrides: Record<string, unknown>) => aStep(overrides);
const transform = (id: string, data: unknown) => ({ id, action: 'transform', data }) as never;
const filter = (id: string, condition: unknown) => ({ id, action: 'filter', condition }) as never;
const emit = (id: string, overrides: Record<string, unknown> = {}) =>
  ({
    id,
    action: 'emit',
    queue: 'outbound-sync',
    source: 'compass_inbound',
    event_type: 'company_synced',
    data: '$.payload',
    ...overrides,
  }) as never;

describe('runFlows', () => {
  it('reports no_match when no enabled flow listens for the event', async () => {
    // Prepare
    const { run, recording } = setUp(aConfig({ flows: [aFlow({ enabled: false })] }));
    // Act
    const outcome = await run();
    // Assess
    expect(outcome.report).toMatchObject({ status: 'no_match', flowsMatched: [], flows: [] });
    expect(outcome.error).toBeUndefined();
    expect(recording.calls).toEqual([]);
  });

  it('runs matched flows in declared order and their steps in order', async () => {
    // Prepare
    const { run, recording } = setUp(
      aConfig({
        flows: [
          aFlow({ name: 'one', steps: [step({ id: 'a' }), step({ id: 'b', entity: 'contact' })] }),
          aFlow({ name: 'other_event', event_type: 'delete_company' }),
          aFlow({ name: 'two', steps: [step({ id: 'c', entity: 'deal' })] }),
        ],
      }),
    );
    // Act
    const { report } = await run();
    // Assess
    expect(report.status).toBe('ok');
    expect(report.flowsMatched).toEqual(['one', 'two']);
    expect(report.flows.map((f) => [f.name, f.status, f.steps.map((s) => s.id)])).toEqual([
      ['one', 'completed', ['a', 'b']],
      ['two', 'completed', ['c']],
    ]);
    expect(recording.calls.map((c) => c.entity)).toEqual(['company', 'contact', 'deal']);
  });

  it('starts a flow only when the one before it has ended, however fast each call answers', async () => {
    // Prepare: each call answers later than the one after it would, so an overlap would reorder them
    const events: string[] = [];
    let delayMs = 30;
    const slowFirst: TargetFactory = (definition) => ({
      name: definition.name,
      kind: definition.kind,
      execute: (request) => {
        const entity = request.action === 'associate' ? 'association' : request.entity;
        events.push(`start ${entity}`);
        const wait = (delayMs -= 10);
        return new Promise((resolve) =>
          setTimeout(() => {
            events.push(`end ${entity}`);
            resolve({ id: entity, created: true });
          }, wait),
        );
      },
    });
    const compiled = compileConfig(
      validateConfig(
        aConfig({
          flows: [
            aFlow({ name: 'one', steps: [step({ id: 'a' }), transform('after_a', '$$.steps.a.id')] }),
            aFlow({ name: 'two', steps: [step({ id: 'b', entity: 'contact' })] }),
            aFlow({ name: 'three', steps: [transform('first', 'x'), step({ id: 'c', entity: 'deal' })] }),
          ],
        }),
      ),
      { targetFactory: slowFirst },
    );
    // Act
    const { report } = await runFlows(compiled, anEnvelope(), META, {
      emitter: createRecordingTargets().emitter,
    });
    // Assess
    expect(events).toEqual([
      'start company',
      'end company',
      'start contact',
      'end contact',
      'start deal',
      'end deal',
    ]);
    expect(report.flows.map((flow) => [flow.name, flow.status, flow.steps.map((s) => s.result)])).toEqual([
      ['one', 'completed', [{ id: 'company', created: true }, 'company']],
      ['two', 'completed', [{ id: 'contact', created: true }]],
      ['three', 'completed', ['x', { id: 'deal', created: true }]],
    ]);
  });

  it('makes each step result visible to later steps as $$.steps.<id>', async () => {
    // Prepare
    const steps = [
      step({ id: 'upsert_company' }),
      transform('shape', {
        company_id: '$$.steps.upsert_company.id',
        flow: '$$.flow.name',
        name: '$.payload.name',
      }),
      step({
        id: 'contact',
        entity: 'contact',
        id_property: 'email',
        data: { email: 'ops@acme.test', company: '$$.steps.shape.company_id' },
      }),
    ];
    const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps })] }));
    // Act
    const { report } = await run();
    // Assess
    expect(report.flows[0]?.steps[1]?.result).toEqual({
      company_id: 'hubspot-1',
      flow: 'compass_company_upsert',
      name: 'Acme',
    });
    expect(recording.calls[1]?.data).toEqual({ email: 'ops@acme.test', company: 'hubspot-1' });
  });

  it('exposes the envelope facts in $$.envelope', async () => {
    const { run } = setUp(aConfig({ flows: [aFlow({ steps: [transform('facts', '$$.envelope')] })] }));
    const { report } = await run(anEnvelope({ event_id: undefined }));
    expect(report.flows[0]?.steps[0]?.result).toEqual({
      connector_id: 'acme',
      source_name: 'compass_inbound',
      event_type: 'upsert_company',
      event_id: META.messageId,
      message_id: META.messageId,
      message_group_id: META.messageGroupId,
    });
  });

  describe('record actions', () => {
    it('upsert sends the id_property value and reports { id, created }', async () => {
      // Prepare
      const { run, recording } = setUp();
      // Act
      const first = await run();
      const second = await run();
      // Assess
      expect(recording.calls[0]).toEqual({
        target: 'hubspot',
        kind: 'hubspot',
        action: 'upsert',
        entity: 'company',
        id: 'acme.test',
        idProperty: 'domain',
        data: { name: 'Acme', domain: 'acme.test' },
      });
      expect(first.report.flows[0]?.steps[0]?.result).toEqual({ id: 'hubspot-1', created: true });
      expect(second.report.flows[0]?.steps[0]?.result).toEqual({ id: 'hubspot-1', created: false });
    });

    it('create, update and delete report their results', async () => {
      // Prepare
      const steps = [
        step({ id: 'create', action: 'create', id_property: undefined }),
        step({ id: 'update', action: 'update', id_property: undefined, record_id: '$$.steps.create.id' }),
        step({
          id: 'delete',
          action: 'delete',
          data: undefined,
          id_property: 'domain',
          record_id: '$.payload.domain',
        }),
      ];
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps })] }));
      // Act
      const { report } = await run();
      // Assess
      expect(report.flows[0]?.steps.map((s) => s.result)).toEqual([
        { id: 'hubspot-1' },
        { id: 'hubspot-1' },
        { id: 'acme.test', deleted: true },
      ]);
      expect(recording.calls.map((c) => [c.action, c.id, c.idProperty])).toEqual([
        ['create', undefined, undefined],
        ['update', 'hubspot-1', undefined],
        ['delete', 'acme.test', 'domain'],
      ]);
    });

    it('leaves out mapped fields whose path selects nothing', async () => {
      const data = { domain: '$.payload.domain', phone: '$.payload.phone', source: 'compass' };
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps: [step({ data })] })] }));
      await run();
      expect(recording.calls[0]?.data).toEqual({ domain: 'acme.test', source: 'compass' });
    });

    it('fails permanently, before any request, when the upsert id_property has no value', async () => {
      // Prepare
      const { run, recording } = setUp(
        aConfig({ flows: [aFlow({ steps: [step({ id_property: 'website' })] })] }),
      );
      // Act
      const outcome = await run();
      // Assess
      expect(outcome.error).toBeInstanceOf(PermanentError);
      expect(outcome.error?.message).toBe(
        'flow "compass_company_upsert" step "upsert_hubspot": id_property "website" has no usable value in data (got nothing); the upsert needs it to find the record',
      );
      expect((outcome.error as PermanentError).context).toMatchObject({
        connector: 'acme',
        flow: 'compass_company_upsert',
        step: 'upsert_hubspot',
        field: 'website',
      });
      expect(recording.attempts).toEqual([]);
    });

    it('fails permanently, before any request, when data does not select an object', async () => {
      const { run, recording } = setUp(
        aConfig({ flows: [aFlow({ steps: [step({ data: '$.payload.name' })] })] }),
      );
      const outcome = await run();
      expect(outcome.error).toBeInstanceOf(PermanentError);
      expect(outcome.error?.message).toMatch(
        /data "\$\.payload\.name" must select an object, but it selected a string/,
      );
      expect(recording.attempts).toEqual([]);
    });

    it('fails permanently when record_id selects nothing', async () => {
      const steps = [step({ action: 'delete', data: undefined, record_id: '$.payload.missing' })];
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps })] }));
      const outcome = await run();
      expect(outcome.error).toBeInstanceOf(PermanentError);
      expect((outcome.error as PermanentError).context.field).toBe('record_id');
      expect(recording.attempts).toEqual([]);
    });

    it('gives a create, and only a create, an idempotency key derived from (event, flow, step)', async () => {
      const steps = [
        step({ id: 'made', action: 'create', target: 'erp', entity: 'accounts', id_property: undefined }),
        step({ id: 'upserted' }),
      ];
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ name: 'f', steps })] }));

      await run();

      expect(recording.calls[0]?.idempotencyKey).toBe(idempotencyKeyOf('evt-0001', 'f', 'made'));
      expect(recording.calls[1]?.idempotencyKey).toBeUndefined();
    });

    it('wraps every target call in the retry policy', async () => {
      // Prepare
      const { run, recording } = setUp();
      recording.failNext('hubspot', new RetryableError('HubSpot 503'));
      const retryOnce: RetryPolicy = async (operation) => {
        try {
          return await operation(1);
        } catch {
          return operation(2);
        }
      };
      // Act
      const outcome = await run(anEnvelope(), retryOnce);
      // Assess
      expect(outcome.report.status).toBe('ok');
      expect(recording.attempts).toHaveLength(2);
      expect(recording.calls).toHaveLength(1);
    });
  });

  describe('filter', () => {
    it('stops its flow successfully when false; later steps are skipped and other flows still run', async () => {
      // Prepare
      const { run, recording } = setUp(
        aConfig({
          flows: [
            aFlow({
              name: 'customers_only',
              steps: [filter('is_customer', { path: '$.payload.lifecycle', equals: 'customer' }), step({})],
            }),
            aFlow({ name: 'always' }),
          ],
        }),
      );
      // Act
      const { report, error } = await run();
      // Assess
      expect(error).toBeUndefined();
      expect(report.status).toBe('ok');
      expect(report.flows[0]).toMatchObject({
        status: 'filtered',
        steps: [
          { id: 'is_customer', status: 'ok', result: { passed: false } },
          { id: 'upsert_hubspot', status: 'skipped', durationMs: 0 },
        ],
      });
      expect(report.flows[1]?.status).toBe('completed');
      expect(recording.calls).toHaveLength(1);
    });

    it('lets the flow go on when true', async () => {
      const steps = [filter('has_domain', { path: '$.payload.domain', exists: true }), step({})];
      const { run } = setUp(aConfig({ flows: [aFlow({ steps })] }));
      const { report } = await run();
      expect(report.flows[0]?.status).toBe('completed');
      expect(report.flows[0]?.steps[0]?.result).toEqual({ passed: true });
    });
  });

  describe('on_error', () => {
    it('continue records the error as the step result and the flow goes on', async () => {
      // Prepare
      const steps = [
        step({ on_error: 'continue' }),
        transform('after', { failed: '$$.steps.upsert_hubspot.error.class' }),
      ];
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps })] }));
      recording.failNext('hubspot', new PermanentError('HubSpot 400: bad property'));
      // Act
      const { report, error } = await run();
      // Assess
      expect(error).toBeUndefined();
      expect(report.status).toBe('ok');
      const expected = { class: 'permanent', name: 'PermanentError', message: 'HubSpot 400: bad property' };
      expect(report.flows[0]?.steps[0]).toMatchObject({
        status: 'continued',
        result: { error: expected },
        error: expected,
      });
      expect(report.flows[0]?.steps[1]?.result).toEqual({ failed: 'permanent' });
    });

    it('fail stops its own flow with the typed error; the other flows still run', async () => {
      // Prepare
      const { run, recording } = setUp(
        aConfig({
          flows: [
            aFlow({ name: 'first', steps: [step({ id: 'a' }), step({ id: 'b' }), step({ id: 'c' })] }),
            aFlow({ name: 'second' }),
          ],
        }),
      );
      const failure = new RetryableError('HubSpot 503', { status: 503 });
      recording.failNext('hubspot', failure);
      // Act
      const { report, error, failedAt } = await run();
      // Assess
      expect(error).toBe(failure);
      expect(failedAt).toEqual({ flow: 'first', step: 'a' });
      expect(failure.context).toEqual({ connector: 'acme', flow: 'first', step: 'a' });
      expect(report.status).toBe('failed');
      expect(report.error).toEqual({ class: 'retryable', name: 'RetryableError', message: 'HubSpot 503' });
      expect(report.flows.map((f) => [f.name, f.status, f.steps.map((s) => s.status)])).toEqual([
        ['first', 'failed', ['failed', 'skipped', 'skipped']],
        ['second', 'completed', ['ok']],
      ]);
      expect(recording.calls).toHaveLength(1);
    });

    it('decides the record by the first failure that can never succeed, wherever its flow is', async () => {
      // Prepare
      const { run, recording } = setUp(
        aConfig({
          flows: [
            aFlow({ name: 'flaky', steps: [step({ id: 'a' })] }),
            aFlow({ name: 'broken', steps: [step({ id: 'b' })] }),
          ],
        }),
      );
      recording.failNext('hubspot', new RetryableError('HubSpot 503'));
      recording.failNext('hubspot', new PermanentError('HubSpot 400'));
      // Act
      const { report, error, failedAt } = await run();
      // Assess
      expect(errorClassOf(error)).toBe('permanent');
      expect(failedAt).toEqual({ flow: 'broken', step: 'b' });
      expect(report.error?.message).toBe('HubSpot 400');
      expect(report.flows.map((f) => f.status)).toEqual(['failed', 'failed']);
    });

    it('keeps a PermanentError permanent and passes other errors through as retryable', async () => {
      const permanent = setUp();
      permanent.recording.failNext('hubspot', new PermanentError('HubSpot 400'));
      expect(errorClassOf((await permanent.run()).error)).toBe('permanent');

      const bug = setUp();
      const typeError = new TypeError('undefined is not a function');
      bug.recording.failNext('hubspot', typeError);
      const outcome = await bug.run();
      expect(outcome.error).toBe(typeError);
      expect(errorClassOf(outcome.error)).toBe('retryable');
    });

    it('starts no step once the invocation is aborted', async () => {
      const { compiled, recording } = setUp();
      const controller = new AbortController();
      controller.abort();
      const outcome = await runFlows(compiled, anEnvelope(), META, {
        emitter: recording.emitter,
        signal: controller.signal,
      });
      expect(outcome.error).toBeInstanceOf(RetryableError);
      expect(recording.attempts).toEqual([]);
    });
  });

  describe('emit', () => {
    it('sends a new envelope with a deterministic deduplication id and the original group', async () => {
      // Prepare
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps: [emit('announce')] })] }));
      const dedup = createHash('sha256')
        .update(JSON.stringify(['evt-0001', 'compass_company_upsert', 'announce']))
        .digest('hex');
      // Act
      const first = await run();
      await run();
      // Assess
      expect(first.report.flows[0]?.steps[0]?.result).toEqual({ message_id: 'msg-1' });
      expect(recording.emitter.emitted[0]).toEqual({
        queue: 'outbound-sync',
        messageGroupId: 'acme',
        messageDeduplicationId: dedup,
        messageId: 'msg-1',
        envelope: {
          connector_id: 'acme',
          source_name: 'compass_inbound',
          event_type: 'company_synced',
          event_id: dedup,
          occurred_at: '2026-11-24T10:00:00Z',
          payload: { name: 'Acme', domain: 'acme.test' },
        },
      });
      expect(recording.emitter.emitted[1]?.messageDeduplicationId).toBe(dedup);
    });

    it('uses group_id when given and differs per step', async () => {
      const steps = [emit('one', { group_id: '$.payload.domain' }), emit('two', { group_id: 'fixed' })];
      const { run, recording } = setUp(aConfig({ flows: [aFlow({ steps })] }));
      await run(anEnvelope({ occurred_at: undefined }));
      const [one, two] = recording.emitter.emitted;
      expect([one?.messageGroupId, two?.messageGroupId]).toEqual(['acme.test', 'fixed']);
      expect(one?.messageDeduplicationId).not.toBe(two?.messageDeduplicationId);
      expect(one?.envelope.occurred_at).toBe('2026-11-25T00:00:00.000Z');
    });

    it('falls back to the original group when group_id selects nothing', async () => {
      const { run, recording } = setUp(
        aConfig({ flows: [aFlow({ steps: [emit('e', { group_id: '$.nope' })] })] }),
      );
      await run();
      expect(recording.emitter.emitted[0]?.messageGroupId).toBe('acme');
    });
  });

  describe('resume (step checkpoints)', () => {
    const createAccount = step({
      id: 'create_account',
      action: 'create',
      target: 'erp',
      entity: 'accounts',
      id_property: undefined,
      data: { name: '$.payload.name' },
    });
    const linkHubSpot = step({
      id: 'link_hubspot',
      data: { domain: '$.payload.domain', erp_id: '$$.steps.create_account.id' },
    });

    it('does not call completed steps again and feeds their saved results to the later steps', async () => {
      // Prepare
      const { run, recording } = setUp(
        aConfig({ flows: [aFlow({ name: 'accounts', steps: [createAccount, linkHubSpot] })] }),
      );
      recording.failNext('hubspot', new RetryableError('HubSpot 503'));
      const first = await run();
      const checkpoint = checkpointOf(first.report);
      // Act
      const second = await run(anEnvelope(), undefined, checkpoint);
      // Assess
      expect(first.report.status).toBe('failed');
      expect(checkpoint).toEqual({
        flows: { accounts: { steps: [{ id: 'create_account', result: { id: 'erp-1' } }] } },
      });
      expect(second.report.status).toBe('ok');
      expect(second.report.flows[0]?.steps.map((s) => [s.id, s.status])).toEqual([
        ['create_account', 'resumed'],
        ['link_hubspot', 'ok'],
      ]);
      expect(recording.callsTo('erp')).toHaveLength(1);
      expect(recording.callsTo('hubspot')[0]?.data).toEqual({ domain: 'acme.test', erp_id: 'erp-1' });
    });

    it('does not run a flow an earlier delivery finished, and reports its steps resumed', async () => {
      // Prepare
      const { run, recording } = setUp(
        aConfig({
          flows: [
            aFlow({ name: 'announce', steps: [emit('announce')] }),
            aFlow({ name: 'upsert', steps: [step({})] }),
          ],
        }),
      );
      recording.failNext('hubspot', new RetryableError('HubSpot 503'));
      const first = await run();
      // Act
      const second = await run(anEnvelope(), undefined, checkpointOf(first.report));
      // Assess
      expect(first.report.flows.map((f) => f.status)).toEqual(['completed', 'failed']);
      expect(second.report.flows.map((f) => [f.name, f.status, f.steps.map((s) => s.status)])).toEqual([
        ['announce', 'completed', ['resumed']],
        ['upsert', 'completed', ['ok']],
      ]);
      expect(recording.emitter.emitted).toHaveLength(1);
    });

    it('keeps a filtered flow filtered and saves nothing when nothing completed', async () => {
      const { run, recording } = setUp(
        aConfig({
          flows: [
            aFlow({
              name: 'customers',
              steps: [filter('only', { path: '$.payload.lifecycle', exists: true })],
            }),
            aFlow({ name: 'upsert', steps: [step({})] }),
          ],
        }),
      );
      recording.failNext('hubspot', new RetryableError('HubSpot 503'), 2);

      const first = await run();
      const second = await run(anEnvelope(), undefined, checkpointOf(first.report));
      const down: RetryPolicy = () => Promise.reject(new RetryableError('down'));
      const onlyFailed = checkpointOf((await setUp(aConfig()).run(anEnvelope(), down)).report);

      expect(checkpointOf(first.report)?.flows.customers).toEqual({
        finished: 'filtered',
        steps: [{ id: 'only' }],
      });
      expect(second.report.flows[0]).toMatchObject({
        status: 'filtered',
        steps: [{ id: 'only', status: 'resumed' }],
      });
      expect(onlyFailed).toBeUndefined();
    });

    it('resumes only the leading steps whose ids still match, after a new config version', async () => {
      // Prepare: version 1 completed create_account; version 2 put a new step first.
      const saved: RunCheckpoint = {
        flows: { accounts: { steps: [{ id: 'create_account', result: { id: 'erp-1' } }] } },
      };
      const audit = transform('audit', { at: '$$.envelope.event_id' });
      const { run, recording } = setUp(
        aConfig({ flows: [aFlow({ name: 'accounts', steps: [audit, createAccount, linkHubSpot] })] }),
      );
      // Act
      const { report } = await run(anEnvelope(), undefined, saved);
      // Assess
      expect(report.flows[0]?.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
      expect(recording.callsTo('erp')).toHaveLength(1);
    });

    it('tells whether a run finished something its checkpoint did not hold', async () => {
      const { run, recording } = setUp(
        aConfig({ flows: [aFlow({ name: 'accounts', steps: [createAccount, linkHubSpot] })] }),
      );
      recording.failNext('hubspot', new RetryableError('HubSpot 503'), 2);
      const first = checkpointOf((await run()).report);
      const again = checkpointOf((await run(anEnvelope(), undefined, first)).report);

      expect(checkpointAdvanced(undefined, first)).toBe(true);
      expect(checkpointAdvanced(first, again)).toBe(false);
      expect(checkpointAdvanced(first, undefined)).toBe(false);
    });
  });
});

describe('runFlows with integers beyond 2^53 in the payload', () => {
  const bigPayload = () =>
    parseEnvelope(
      JSON.stringify(anEnvelope({ payload: '§' })).replace(
        '"§"',
        '{"payload":{"domain":9007199254740993,"owner":12345678901234567891,"tags":[9007199254740995]}}',
      ),
    );

  it('uses them as record ids and sends them on digit for digit', async () => {
    // Prepare
    const { recording, run } = setUp(
      aConfig({
        flows: [
          aFlow({
            steps: [
              step({ target: 'erp', entity: 'account', data: '$.payload' }),
              step({
                id: 'remove',
                action: 'delete',
                target: 'erp',
                entity: 'account',
                data: undefined,
                id_property: undefined,
                record_id: '$.payload.owner',
              }),
            ],
          }),
        ],
      }),
    );
    // Act
    const { report } = await run(bigPayload());
    // Assess
    expect(report.status).toBe('ok');
    expect(recording.calls.map((call) => call.id)).toEqual(['9007199254740993', '12345678901234567891']);
    expect(JSON.stringify(recording.calls[0]?.data)).toBe(
      '{"domain":9007199254740993,"owner":12345678901234567891,"tags":[9007199254740995]}',
    );
  });

  it('compares them by value in conditions, never with the double they would round to', async () => {
    // Prepare
    const { recording, run } = setUp(
      aConfig({
        flows: [
          aFlow({
            steps: [
              filter('exact', { path: '$.payload.domain', in: [9007199254740992, '9007199254740993'] }),
              step({ target: 'erp', entity: 'account' }),
            ],
          }),
        ],
      }),
    );
    // Act
    const { report } = await run(bigPayload());
    // Assess
    expect(report.flows[0]?.status).toBe('filtered');
    expect(recording.calls).toEqual([]);
  });
});
