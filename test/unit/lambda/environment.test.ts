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
    });

    expect(environment.queueUrls['outbound-sync']).toContain('outbound-sync.fifo');
    expect(environment.configCacheTtlSeconds).toBe(5);
    expect(environment.logLevel).toBe('DEBUG');
    expect(environment).toMatchObject({
      serviceName: 'acme-flows',
      metricsNamespace: 'Acme',
      secretNamePrefix: 'acme/prod/',
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
    ['ALLOW_TARGET_ADDRESSES', { ...REQUIRED, ALLOW_TARGET_ADDRESSES: 'link-local' }],
    ['ALLOW_TARGET_ADDRESSES', { ...REQUIRED, ALLOW_TARGET_ADDRESSES: 'private,all' }],
  ])('names %s when it is missing or invalid', (variable, env) => {
    expect(() => readEnvironment(env)).toThrowError(EnvironmentError);
    expect(() => readEnvironment(env)).toThrowError(variable);
  });
});
