import { describe, expect, it } from '@jest/globals';
import { clientAddressKey } from './client-address.js';

describe('clientAddressKey', () => {
  it('keeps IPv4 addresses, and counts every spelling of an IPv4-mapped address as that IPv4', () => {
    for (const spelling of [
      '192.0.2.1',
      '::ffff:192.0.2.1',
      '::FFFF:192.0.2.1',
      '::ffff:c000:201',
      '0:0:0:0:0:ffff:c000:0201',
      '0000:0000:0000:0000:0000:FFFF:192.0.2.1',
    ]) {
      expect(clientAddressKey(spelling)).toBe('192.0.2.1');
    }
  });

  it('counts IPv6 per /64, in one canonical spelling', () => {
    const key = '2001:db8:0:1::/64';
    for (const spelling of [
      '2001:db8:0:1::1',
      '2001:DB8:0:1::2',
      '2001:0db8:0000:0001:ffff:ffff:ffff:ffff',
      '2001:db8::1:0:0:0:7',
      '2001:db8:0:1:1234:5678:9abc:def0%eth0',
    ]) {
      expect(clientAddressKey(spelling)).toBe(key);
    }
    expect(clientAddressKey('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(clientAddressKey('::1')).toBe('::/64');
    expect(clientAddressKey('fe80::1%lo0')).toBe('fe80::/64');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
  });

  it('leaves what is not an IP address as it is', () => {
    expect(clientAddressKey('unknown')).toBe('unknown');
    expect(clientAddressKey('')).toBe('');
  });
});
