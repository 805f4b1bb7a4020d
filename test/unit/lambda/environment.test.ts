import { describe, expect, it } from 'vitest';
import { EnvironmentError, readEnvironment } from '@flow-worker/runtime';

const REQUIRED = {
  CONFIG_TABLE_NAME: 'flow-worker-config',
  DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/flow-worker-dlq.fifo',
};

describe('readEnvironment', () => {
  it('reads the required variables and applies defaults', () => {
    const environment = readEnvironment(REQUIRED);

    expect(environment).toEqual({
      configTableName: 'flow-worker-config',
      dlqUrl: REQUIRED.DLQ_URL,
      queueUrls: { 'inbound-sync': undefined, 'outbound-sync': undefined },
      configCacheTtlSeconds: 30,
      logLevel: 'INFO',
      serviceName: 'flow-worker',
      metricsNamespace: 'FlowWorker',
      secretNamePrefix: undefined,
      allowTargetAddresses: [],
      hubspotRequestsPer10Seconds: 100,
      runStateTableName: undefined,
      maxReceiveCount: undefined,
      backoff: { baseSeconds: 30, maxSeconds: 900 },
    });
  });

  it('reads the delivery-over-time variables: run-state table, last receive and backoff', () => {
    const environment = readEnvironment({
      ...REQUIRED,
      RUN_STATE_TABLE_NAME: 'flow-worker-run-state',
      MAX_RECEIVE_COUNT: '197',
      RETRY_BACKOFF_BASE_SECONDS: '10',
      RETRY_BACKOFF_MAX_SECONDS: '600',
    });

    expect(environment).toMatchObject({
      runStateTableName: 'flow-worker-run-state',
      maxReceiveCount: 197,
      backoff: { baseSeconds: 10, maxSeconds: 600 },
    });
  });

  it('raises the default backoff maximum to a larger base', () => {
    expect(readEnvironment({ ...REQUIRED, RETRY_BACKOFF_BASE_SECONDS: '1200' }).backoff).toEqual({
      baseSeconds: 1200,
      maxSeconds: 1200,
    });
  });

  it.each([
    ['private', ['private']],
    ['loopback', ['loopback']],
    ['private,loopback', ['private', 'loopback']],
    [' Private , LOOPBACK ', ['private', 'loopback']],
    ['', []],
  ])('reads ALLOW_TARGET_ADDRESSES=%j as the ranges targets may use besides public ones', (value, ranges) => {
    expect(readEnvironment({ ...REQUIRED, ALLOW_TARGET_ADDRESSES: value }).allowTargetAddresses).toEqual(
      ranges,
    );
  });

  it('reads the optional variables', () => {
    const environment = readEnvironment({
      ...REQUIRED,
      INBOUND_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/inbound-sync.fifo',
      OUTBOUND_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/outbound-sync.fifo',
      CONFIG_CACHE_TTL_SECONDS: '5',
      LOG_LEVEL: 'debug',
      POWERTOOLS_SERVICE_NAME: 'acme-flows',
      POWERTOOLS_METRICS_NAMESPACE: 'Acme',
      SECRET_NAME_PREFIX: 'acme/prod/',
      HUBSPOT_REQUESTS_PER_10_SECONDS: '25',
    });

    expect(environment.queueUrls['outbound-sync']).toContain('outbound-sync.fifo');
    expect(environment.configCacheTtlSeconds).toBe(5);
    expect(environment.logLevel).toBe('DEBUG');
    expect(environment).toMatchObject({
      serviceName: 'acme-flows',
      metricsNamespace: 'Acme',
      secretNamePrefix: 'acme/prod/',
      hubspotRequestsPer10Seconds: 25,
    });
  });

  it.each([
    ['CONFIG_TABLE_NAME', { DLQ_URL: REQUIRED.DLQ_URL }],
    ['DLQ_URL', { CONFIG_TABLE_NAME: 'table' }],
    ['DLQ_URL', { ...REQUIRED, DLQ_URL: 'flow-worker-dlq' }],
    ['CONFIG_CACHE_TTL_SECONDS', { ...REQUIRED, CONFIG_CACHE_TTL_SECONDS: 'thirty' }],
    ['CONFIG_CACHE_TTL_SECONDS', { ...REQUIRED, CONFIG_CACHE_TTL_SECONDS: '-1' }],
    ['LOG_LEVEL', { ...REQUIRED, LOG_LEVEL: 'LOUD' }],
    ['OUTBOUND_QUEUE_URL', { ...REQUIRED, OUTBOUND_QUEUE_URL: 'outbound-sync.fifo' }],
    ['HUBSPOT_REQUESTS_PER_10_SECONDS', { ...REQUIRED, HUBSPOT_REQUESTS_PER_10_SECONDS: '0' }],
    ['HUBSPOT_REQUESTS_PER_10_SECONDS', { ...REQUIRED, HUBSPOT_REQUESTS_PER_10_SECONDS: '2.5' }],
    ['MAX_RECEIVE_COUNT', { ...REQUIRED, MAX_RECEIVE_COUNT: '0' }],
    ['MAX_RECEIVE_COUNT', { ...REQUIRED, MAX_RECEIVE_COUNT: '1001' }],
    ['RETRY_BACKOFF_BASE_SECONDS', { ...REQUIRED, RETRY_BACKOFF_BASE_SECONDS: '1.5' }],
    ['RETRY_BACKOFF_MAX_SECONDS', { ...REQUIRED, RETRY_BACKOFF_MAX_SECONDS: '43201' }],
    [
      'RETRY_BACKOFF_MAX_SECONDS',
      { ...REQUIRED, RETRY_BACKOFF_BASE_SECONDS: '60', RETRY_BACKOFF_MAX_SECONDS: '30' },
    ],
    ['ALLOW_TARGET_ADDRESSES', { ...REQUIRED, ALLOW_TARGET_ADDRESSES: 'link-local' }],
    ['ALLOW_TARGET_ADDRESSES', { ...REQUIRED, ALLOW_TARGET_ADDRESSES: 'private,all' }],
  ])('names %s when it is missing or invalid', (variable, env) => {
    expect(() => readEnvironment(env)).toThrowError(EnvironmentError);
    expect(() => readEnvironment(env)).toThrowError(variable);
  });
});
