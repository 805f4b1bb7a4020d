import { isIP } from 'node:net';

/**
 * Where targets may point: the network guard's rules, shared by the validator (literal addresses in
 * `base_url`) and the targets' HTTP transport (every address a connection is about to use, after DNS
 * resolution). Configs are written by customers and the worker calls out with the platform's network
 * identity, so a config must not be able to aim it at the instance metadata service or, unless the
 * deployment says so, at internal networks.
 *
 * - public addresses: always allowed;
 * - `private` ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, fc00::/7, …) and `loopback`
 *   (127/8, ::1): allowed only when listed in the deployment's `ALLOW_TARGET_ADDRESSES`;
 * - link-local (169.254/16, fe80::/10, where instance metadata lives), AWS's internal fd00:ec2::/32,
 *   "this network" 0/8, multicast and reserved ranges: never.
 *
 * IPv6 forms that embed an IPv4 address (`::ffff:169.254.169.254`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`, IPv4-compatible `::a.b.c.d`) are judged by the IPv4 address inside.
 */

import type { TargetAddressRange } from './address-ranges.js';

export { TARGET_ADDRESS_RANGES, type TargetAddressRange } from './address-ranges.js';

/** What an address is, for the guard. */
export type AddressKind = 'public' | TargetAddressRange | 'link-local' | 'reserved';

export interface AddressClass {
  readonly kind: AddressKind;
  /** The range it falls in, as people write it: `169.254.0.0/16`. */
  readonly range?: string;
}

interface Rule {
  readonly prefix: bigint;
  readonly bits: number;
  readonly kind: Exclude<AddressKind, 'public'> | 'embedded-ipv4';
  readonly range: string;
  /** For embedded IPv4: where the 32 bits start, counted from the right. */
  readonly shift?: number;
}

// Built on first use, not when the handler is imported (cold start, docs/performance.md).
let ipv4Rules: readonly Rule[] | undefined;
let ipv6Rules: readonly Rule[] | undefined;

const buildIpv4Rules = (): readonly Rule[] => [
  ipv4Rule('0.0.0.0/8', 'reserved'),
  ipv4Rule('127.0.0.0/8', 'loopback'),
  ipv4Rule('169.254.0.0/16', 'link-local'),
  ipv4Rule('10.0.0.0/8', 'private'),
  ipv4Rule('172.16.0.0/12', 'private'),
  ipv4Rule('192.168.0.0/16', 'private'),
  ipv4Rule('100.64.0.0/10', 'private'),
  ipv4Rule('198.18.0.0/15', 'private'),
  ipv4Rule('192.0.0.0/24', 'reserved'),
  ipv4Rule('224.0.0.0/4', 'reserved'),
  ipv4Rule('240.0.0.0/4', 'reserved'),
];

const buildIpv6Rules = (): readonly Rule[] => [
  ipv6Rule('::/128', 'reserved'),
  ipv6Rule('::1/128', 'loopback'),
  ipv6Rule('::ffff:0:0/96', 'embedded-ipv4', 0),
  ipv6Rule('64:ff9b::/96', 'embedded-ipv4', 0),
  ipv6Rule('64:ff9b:1::/48', 'private'),
  ipv6Rule('::/96', 'embedded-ipv4', 0),
  ipv6Rule('100::/64', 'reserved'),
  ipv6Rule('2001::/32', 'reserved'),
  ipv6Rule('2002::/16', 'embedded-ipv4', 80),
  ipv6Rule('fd00:ec2::/32', 'link-local'),
  ipv6Rule('fc00::/7', 'private'),
  ipv6Rule('fe80::/10', 'link-local'),
  ipv6Rule('fec0::/10', 'private'),
  ipv6Rule('ff00::/8', 'reserved'),
];

/** What an IP address is; `undefined` when `address` is not an IP address (a host name). */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = stripZone(stripBrackets(address));
  const version = isIP(bare);
  if (version === 4) return classifyIpv4(ipv4Value(bare));
  if (version === 6) return classifyIpv6(ipv6Value(bare));
  return undefined;
}

/**
 * Why a target may not use `address` under `allowed` (a sentence naming the address and its
 * range), or `undefined` when it may, or when it is not an IP address.
 */
export function addressRefusal(address: string, allowed: readonly TargetAddressRange[]): string | undefined {
  const reason = refusalReason(address, allowed);
  return reason === undefined ? undefined : `${stripBrackets(address)} ${reason}`;
}

/**
 * {@link addressRefusal} without its subject: `is a link-local address (169.254.0.0/16), where
 * instance metadata lives: targets may never use it`.
 */
export function refusalReason(address: string, allowed: readonly TargetAddressRange[]): string | undefined {
  const found = classifyAddress(address);
  if (found === undefined || found.kind === 'public') return undefined;
  const what = `is ${describeKind(found)}`;
  switch (found.kind) {
    case 'private':
    case 'loopback':
      return allowed.includes(found.kind)
        ? undefined
        : `${what}: targets may use ${found.kind} addresses only where the deployment allows them (ALLOW_TARGET_ADDRESSES=${found.kind})`;
    default:
      return `${what}: targets may never use it`;
  }
}

function describeKind(found: AddressClass): string {
  const range = found.range === undefined ? '' : ` (${found.range})`;
  switch (found.kind) {
    case 'link-local':
      return `a link-local address${range}, where instance metadata lives`;
    case 'reserved':
      return `not a unicast address a target can have${range}`;
    default:
      return `a ${found.kind} address${range}`;
  }
}

/**
 * The problems of a target's `base_url` for the guard: a scheme other than http/https, a user name
 * or password in it, and a literal address (or `localhost`) the deployment does not allow. Host
 * names are checked when they are resolved, at call time. Never repeats the URL's credentials.
 */
export function targetUrlProblems(url: string, allowed: readonly TargetAddressRange[]): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return []; // The schema reports URLs that do not parse.
  }
  const problems: string[] = [];
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push(`must use http or https, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    problems.push("must not contain a user name or password; put credentials in the target's secret");
  }
  const host = parsed.hostname;
  const refusal = isLocalhostName(host)
    ? addressRefusal('127.0.0.1', allowed)?.replace('127.0.0.1', host)
    : addressRefusal(host, allowed);
  if (refusal !== undefined) problems.push(refusal);
  return problems;
}

/** `localhost` and `*.localhost` always mean the loopback interface (RFC 6761). */
function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function classifyIpv4(value: bigint): AddressClass {
  const rule = (ipv4Rules ??= buildIpv4Rules()).find((candidate) => matches(value, 32, candidate));
  return rule === undefined ? { kind: 'public' } : { kind: ruleKind(rule), range: rule.range };
}

function classifyIpv6(value: bigint): AddressClass {
  const rule = (ipv6Rules ??= buildIpv6Rules()).find((candidate) => matches(value, 128, candidate));
  if (rule === undefined) return { kind: 'public' };
  if (rule.kind !== 'embedded-ipv4') return { kind: rule.kind, range: rule.range };
  return classifyIpv4((value >> BigInt(rule.shift ?? 0)) & 0xffff_ffffn);
}

function ruleKind(rule: Rule): Exclude<AddressKind, 'public'> {
  return rule.kind === 'embedded-ipv4' ? 'reserved' : rule.kind;
}

function matches(value: bigint, width: number, rule: Rule): boolean {
  const hostBits = BigInt(width - rule.bits);
  return value >> hostBits === rule.prefix >> hostBits;
}

function ipv4Rule(cidr: string, kind: Rule['kind']): Rule {
  const [address = '', bits = ''] = cidr.split('/');
  return { prefix: ipv4Value(address), bits: Number(bits), kind, range: cidr };
}

function ipv6Rule(cidr: string, kind: Rule['kind'], shift?: number): Rule {
  const [address = '', bits = ''] = cidr.split('/');
  return { prefix: ipv6Value(address), bits: Number(bits), kind, range: cidr, shift };
}

/** A dotted-quad IPv4 address (already validated) as a 32-bit number. */
function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

/** An IPv6 address (already validated: `::`, an IPv4 tail) as a 128-bit number. */
function ipv6Value(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const v4 = ipv4Value(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array.from({ length: missing }, () => '0'), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function stripZone(address: string): string {
  const zone = address.indexOf('%');
  return zone === -1 ? address : address.slice(0, zone);
}
