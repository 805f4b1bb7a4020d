import type { ConfigProblem } from '../errors.js';
import { isPlainObject } from './json.js';
import { targetUrlProblems, type TargetAddressRange } from './target-address.js';
import { propertyPath } from './values.js';

/**
 * Where targets point: the network guard's rules for `base_url` (http/https, no credentials, no
 * literal address the deployment does not allow), no query or fragment in `base_url`, and no `?`
 * or `#` in `paths` (the worker appends to both).
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
