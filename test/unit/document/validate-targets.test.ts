import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  validateConfig,
  type ConfigProblem,
  type TargetAddressRange,
} from '@flow-worker/runtime';
import { aConfig } from '../fixtures.js';

/** The problems `validate` finds in a config whose only target is `target`. */
function problemsWith(
  target: Record<string, unknown>,
  allowed: readonly TargetAddressRange[] = [],
): ConfigProblem[] {
  const document = { ...aConfig(), targets: [{ name: 'hubspot', kind: 'hubspot', secret: 's' }, target] };
  try {
    validateConfig(document, { allowTargetAddresses: allowed });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return [...error.problems];
  }
}

const http = (base_url: string, extra: Record<string, unknown> = {}) => ({
  name: 'erp',
  kind: 'http',
  base_url,
  ...extra,
});

describe('validateConfig: where targets may point', () => {
  it.each([
    [
      'https://user:pass@erp.example.test/api',
      "must not contain a user name or password; put credentials in the target's secret",
    ],
    [
      'http://169.254.169.254/latest/',
      '169.254.169.254 is a link-local address (169.254.0.0/16), where instance metadata lives: targets may never use it',
    ],
    [
      'http://[fd00:ec2::254]/',
      'fd00:ec2::254 is a link-local address (fd00:ec2::/32), where instance metadata lives: targets may never use it',
    ],
    [
      'http://10.0.0.5/api',
      '10.0.0.5 is a private address (10.0.0.0/8): targets may use private addresses only where the deployment allows them (ALLOW_TARGET_ADDRESSES=private)',
    ],
    [
      'http://localhost:8080/api',
      'localhost is a loopback address (127.0.0.0/8): targets may use loopback addresses only where the deployment allows them (ALLOW_TARGET_ADDRESSES=loopback)',
    ],
    [
      'https://erp.example.test/api?key=1',
      'must not have a query (?…) or a fragment (#…): the worker appends entity paths to it',
    ],
    [
      'https://erp.example.test/api#v1',
      'must not have a query (?…) or a fragment (#…): the worker appends entity paths to it',
    ],
  ])('rejects base_url %s, naming the field', (baseUrl, message) => {
    expect(problemsWith(http(baseUrl))).toEqual([{ path: 'targets[1].base_url', message }]);
  });

  it('rejects a hubspot base_url with credentials or at the metadata address too', () => {
    // Act
    const problems = problemsWith({
      name: 'hs',
      kind: 'hubspot',
      secret: 's',
      base_url: 'http://169.254.169.254',
    });
    // Assess
    expect(problems.map((p) => p.path)).toEqual(['targets[1].base_url']);
  });

  it('accepts private and loopback literals where the deployment allows them, never link-local', () => {
    expect(problemsWith(http('http://10.0.0.5/api'), ['private'])).toEqual([]);
    expect(problemsWith(http('http://127.0.0.1:3000/api'), ['loopback'])).toEqual([]);
    expect(problemsWith(http('http://169.254.169.254/'), ['private', 'loopback'])).toHaveLength(1);
  });

  it('accepts host names: they are checked when resolved, at call time', () => {
    expect(problemsWith(http('https://erp.internal.example/api'))).toEqual([]);
  });

  it('rejects a path that would swallow the record id into a query or fragment', () => {
    // Act
    const problems = problemsWith(
      http('https://erp.example.test', { paths: { account: '/accounts?x=1', 'a-b': '/ab#' } }),
    );
    // Assess
    expect(problems).toEqual([
      {
        path: 'targets[1].paths.account',
        message: 'must not contain "?" or "#": the record id is appended to it',
      },
      {
        path: 'targets[1].paths["a-b"]',
        message: 'must not contain "?" or "#": the record id is appended to it',
      },
    ]);
  });

  it('rejects static headers that no HTTP request could carry', () => {
    // Act
    const problems = problemsWith(
      http('https://erp.example.test', {
        headers: { 'X-Ok': 'fine', 'Bad Name': 'x', 'X-Split': 'a\r\nInjected: 1', 'X-Wide': '→' },
      }),
    );
    // Assess
    expect(problems.map((p) => p.path)).toEqual([
      'targets[1].headers["Bad Name"]',
      'targets[1].headers["X-Split"]',
      'targets[1].headers["X-Wide"]',
    ]);
  });
});
