import type { ConfigProblem } from '../errors.js';
import { isPlainObject } from './json.js';
import { targetUrlProblems, type TargetAddressRange } from './target-address.js';
import { propertyPath } from './values.js';

/**
 * Where targets point: the network guard's rules for `base_url` (http/https, no credentials, no
 * literal address the deployment does not allow), no query or fragment in `base_url`, no `?` or
 * `#` in `paths` (the worker appends to both), and `headers` an HTTP request can carry.
 */
export function targetProblems(targets: unknown, allowed: readonly TargetAddressRange[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  (Array.isArray(targets) ? (targets as unknown[]) : []).forEach((target, index) => {
    if (!isPlainObject(target)) return;
    const at = `targets[${index}]`;
    if (typeof target.base_url === 'string') {
      const base = target.base_url;
      for (const message of targetUrlProblems(base, allowed))
        problems.push({ path: `${at}.base_url`, message });
      if (URL.canParse(base) && (new URL(base).search !== '' || new URL(base).hash !== '')) {
        problems.push({
          path: `${at}.base_url`,
          message: 'must not have a query (?…) or a fragment (#…): the worker appends entity paths to it',
        });
      }
    }
    problems.push(...headerProblems(target.headers, `${at}.headers`));
    if (!isPlainObject(target.paths)) return;
    for (const [entity, path] of Object.entries(target.paths)) {
      if (typeof path === 'string' && /[?#]/.test(path)) {
        problems.push({
          path: `${at}.paths${propertyPath(entity)}`,
          message: 'must not contain "?" or "#": the record id is appended to it',
        });
      }
    }
  });
  return problems;
}

/** An HTTP header name (RFC 9110 token) and a value of visible characters, spaces and tabs. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Static headers that no request could send would fail every call: refused here instead. */
function headerProblems(headers: unknown, at: string): ConfigProblem[] {
  if (!isPlainObject(headers)) return [];
  return Object.entries(headers).flatMap(([name, value]): ConfigProblem[] => {
    const path = `${at}${propertyPath(name)}`;
    if (!HEADER_NAME.test(name)) {
      return [{ path, message: "is not an HTTP header name (letters, digits and !#$%&'*+.^_`|~- only)" }];
    }
    if (typeof value === 'string' && !HEADER_VALUE.test(value)) {
      return [
        {
          path,
          message: 'must be a header value: no line breaks, control characters or characters beyond U+00FF',
        },
      ];
    }
    return [];
  });
}
