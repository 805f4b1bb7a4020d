import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressRefusal, classifyAddress, targetUrlProblems } from '@flow-worker/runtime';

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['169.254.170.2', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'link-local'],
    ['fd00:ec2::23', 'link-local'],
    ['[fd00:ec2::254]', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)?.kind).toBe(kind);
  });

  it('says nothing about host names', () => {
    expect(classifyAddress('api.example.test')).toBeUndefined();
    expect(classifyAddress('localhost')).toBeUndefined();
  });

  it('agrees with node:net BlockList on every IPv4 address (the reference model)', () => {
    // Prepare
    const refused = new BlockList();
    for (const [network, bits] of [
      ['0.0.0.0', 8],
      ['127.0.0.0', 8],
      ['169.254.0.0', 16],
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10],
      ['198.18.0.0', 15],
      ['192.0.0.0', 24],
      ['224.0.0.0', 4],
      ['240.0.0.0', 4],
    ] as const) {
      refused.addSubnet(network, bits, 'ipv4');
    }
    const anIpv4 = fc
      .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
      .map((parts) => parts.join('.'));
    // Act & Assess
    fc.assert(
      fc.property(anIpv4, (address) => {
        expect(classifyAddress(address)?.kind !== 'public').toBe(refused.check(address, 'ipv4'));
        expect(classifyAddress(`::ffff:${address}`)?.kind).toBe(classifyAddress(address)?.kind);
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees with node:net BlockList on IPv6 addresses around the ranges it knows', () => {
    // Prepare
    const refused = new BlockList();
    for (const [network, bits] of [
      ['fe80::', 10],
      ['fc00::', 7],
      ['ff00::', 8],
      ['fec0::', 10],
      ['100::', 64],
      ['2001::', 32],
      ['64:ff9b:1::', 48],
    ] as const) {
      refused.addSubnet(network, bits, 'ipv6');
    }
    const hex = fc.nat(0xffff).map((n) => n.toString(16));
    const first = fc.constantFrom(
      'fe80',
      'febf',
      'fec0',
      'fc00',
      'fdff',
      'fe00',
      'ff00',
      'fbff',
      '2001',
      '2606',
      '100',
    );
    const anIpv6 = fc
      .tuple(first, fc.array(hex, { minLength: 7, maxLength: 7 }))
      .map(([head, rest]) => [head, ...rest].join(':'));
    // Act & Assess
    fc.assert(
      fc.property(anIpv6, (address) => {
        fc.pre(!address.startsWith('2001:0:') && !address.startsWith('100:0:0:0:'));
        expect(classifyAddress(address)?.kind !== 'public').toBe(refused.check(address, 'ipv6'));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('addressRefusal', () => {
  it('refuses link-local and metadata addresses whatever the deployment allows', () => {
    expect(addressRefusal('169.254.169.254', ['private', 'loopback'])).toBe(
      '169.254.169.254 is a link-local address (169.254.0.0/16), where instance metadata lives: targets may never use it',
    );
    expect(addressRefusal('fd00:ec2::254', ['private', 'loopback'])).toContain('targets may never use it');
  });

  it('refuses private and loopback addresses unless the deployment allows them', () => {
    expect(addressRefusal('10.0.0.5', [])).toBe(
      '10.0.0.5 is a private address (10.0.0.0/8): targets may use private addresses only where the deployment allows them (ALLOW_TARGET_ADDRESSES=private)',
    );
    expect(addressRefusal('10.0.0.5', ['private'])).toBeUndefined();
    expect(addressRefusal('127.0.0.1', ['private'])).toContain('ALLOW_TARGET_ADDRESSES=loopback');
    expect(addressRefusal('127.0.0.1', ['loopback'])).toBeUndefined();
  });

  it('lets public addresses and host names through', () => {
    expect(addressRefusal('8.8.8.8', [])).toBeUndefined();
    expect(addressRefusal('api.hubapi.com', [])).toBeUndefined();
  });
});

describe('targetUrlProblems', () => {
  it.each([
    [
      'https://user:pass@erp.example.test/api',
      "must not contain a user name or password; put credentials in the target's secret",
    ],
    [
      'https://token@erp.example.test/api',
      "must not contain a user name or password; put credentials in the target's secret",
    ],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a link-local address'],
    ['http://2852039166/', '169.254.169.254 is a link-local address'],
    ['http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254 is a link-local address'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe is a link-local address'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a link-local address (fd00:ec2::/32)'],
    ['http://10.0.0.5:8080/api', '10.0.0.5 is a private address'],
    ['http://127.0.0.1:3000', '127.0.0.1 is a loopback address'],
    ['http://localhost:3000', 'localhost is a loopback address'],
    ['http://api.localhost/', 'api.localhost is a loopback address'],
    ['http://0.0.0.0/', '0.0.0.0 is not a unicast address a target can have'],
    ['ftp://erp.example.test/', 'must use http or https, not ftp'],
  ])('finds the problem of %s', (url, problem) => {
    expect(targetUrlProblems(url, []).join('\n')).toContain(problem);
  });

  it('never repeats the credentials it refuses', () => {
    expect(targetUrlProblems('https://admin:s3cr3t@erp.example.test/', []).join('\n')).not.toContain(
      's3cr3t',
    );
  });

  it('accepts public names and addresses, and what the deployment allows', () => {
    expect(targetUrlProblems('https://erp.example.test/api/v1', [])).toEqual([]);
    expect(targetUrlProblems('https://93.184.216.34/', [])).toEqual([]);
    expect(targetUrlProblems('http://10.0.0.5/', ['private'])).toEqual([]);
    expect(targetUrlProblems('http://127.0.0.1:3000/', ['loopback'])).toEqual([]);
  });
});
