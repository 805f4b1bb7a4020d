import { describe, expect, it } from 'vitest';
import { joinUrl, parseRetryAfter } from '@flow-worker/runtime';

const NOW = Date.parse('2026-11-24T10:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 0 ', 0],
    ['Tue, 24 Nov 2026 10:01:00 GMT', 60],
    ['Tue, 24 Nov 2026 10:00:00 GMT', 0],
    ['Mon, 23 Nov 2026 10:00:00 GMT', 0],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each([[null], ['soon'], ['-5'], ['1.5']])('ignores %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('joinUrl', () => {
  it('joins with exactly one slash', () => {
    expect(joinUrl('https://api.test/v1/', '/things')).toBe('https://api.test/v1/things');
    expect(joinUrl('https://api.test', '/things')).toBe('https://api.test/things');
  });
});
