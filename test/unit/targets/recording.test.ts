import { describe, expect, it } from 'vitest';
import {
  createRecordingTargets,
  PermanentError,
  RecordingEmitter,
  RetryableError,
  type TargetDefinition,
} from '@flow-worker/runtime';
import { anEnvelope } from '../fixtures.js';

const hubspot: TargetDefinition = { name: 'hubspot', kind: 'hubspot', secret: 's' };
const erp: TargetDefinition = { name: 'erp', kind: 'http', base_url: 'https://erp.test' };

describe('createRecordingTargets', () => {
  it('records every call across targets in order', async () => {
    // Prepare
    const recording = createRecordingTargets();
    const [a, b] = [recording.factory(hubspot), recording.factory(erp)];
    // Act
    await a.execute({ action: 'create', entity: 'company', data: { name: 'Acme' } });
    await b.execute({ action: 'delete', entity: 'account', id: '42' });
    // Assess
    expect(recording.calls).toEqual([
      { target: 'hubspot', kind: 'hubspot', action: 'create', entity: 'company', data: { name: 'Acme' } },
      { target: 'erp', kind: 'http', action: 'delete', entity: 'account', id: '42' },
    ]);
    expect(recording.callsTo('erp')).toHaveLength(1);
  });

  it('hands out deterministic ids and remembers upserted records', async () => {
    const target = createRecordingTargets().factory(hubspot);
    const upsert = {
      action: 'upsert',
      entity: 'company',
      id: 'acme.test',
      idProperty: 'domain',
      data: {},
    } as const;
    expect(await target.execute(upsert)).toEqual({ id: 'hubspot-1', created: true });
    expect(await target.execute(upsert)).toEqual({ id: 'hubspot-1', created: false });
    expect(await target.execute({ ...upsert, id: 'other.test' })).toEqual({ id: 'hubspot-2', created: true });
    expect(await target.execute({ action: 'create', entity: 'company', data: {} })).toEqual({
      id: 'hubspot-3',
    });
  });

  it('fails the next N calls of one target with the given error, then recovers', async () => {
    // Prepare
    const recording = createRecordingTargets();
    const error = new PermanentError('HubSpot 400');
    recording.failNext('hubspot', error, 2);
    const target = recording.factory(hubspot);
    const call = () => target.execute({ action: 'create', entity: 'company', data: {} });
    // Act + Assess
    await expect(call()).rejects.toBe(error);
    await expect(call()).rejects.toBe(error);
    await expect(call()).resolves.toEqual({ id: 'hubspot-1' });
    expect(recording.attempts).toHaveLength(3);
    expect(recording.calls).toHaveLength(1);
  });

  it('keeps copies of the data it was given', async () => {
    const recording = createRecordingTargets();
    const data = { name: 'Acme' };
    await recording.factory(hubspot).execute({ action: 'create', entity: 'company', data });
    data.name = 'changed';
    expect(recording.calls[0]?.data).toEqual({ name: 'Acme' });
  });

  it('clear forgets calls, failures and ids', async () => {
    const recording = createRecordingTargets();
    const target = recording.factory(hubspot);
    await target.execute({ action: 'create', entity: 'company', data: {} });
    recording.failNext('hubspot', new RetryableError('x'));
    recording.clear();
    expect(await target.execute({ action: 'create', entity: 'company', data: {} })).toEqual({
      id: 'hubspot-1',
    });
    expect(recording.calls).toHaveLength(1);
  });
});

describe('RecordingEmitter', () => {
  it('records emitted messages with deterministic message ids and can fail', async () => {
    // Prepare
    const emitter = new RecordingEmitter();
    const request = {
      queue: 'outbound-sync',
      envelope: anEnvelope(),
      messageGroupId: 'g',
      messageDeduplicationId: 'd',
    } as const;
    emitter.failNext(new RetryableError('SQS throttled'));
    // Act + Assess
    await expect(emitter.emit(request)).rejects.toThrow('SQS throttled');
    await expect(emitter.emit(request)).resolves.toEqual({ messageId: 'msg-1' });
    expect(emitter.emitted).toEqual([{ ...request, messageId: 'msg-1' }]);
  });
});
