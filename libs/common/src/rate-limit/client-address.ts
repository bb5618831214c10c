import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address a client's failed authentications are counted against. One client must not get a
 * fresh budget by spelling its address another way, nor by taking another address of its network:
 * - IPv4 stays as it is; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, in any spelling) is
 *   counted as that IPv4 address;
 * - IPv6 is counted per /64 (one subnet, which a single host commonly holds whole), written in
 *   its canonical form (RFC 5952: lower case, zeros compressed), e.g. `2001:db8:0:1::/64`;
 * - a zone (`%eth0`) is dropped; anything else (not an IP address) is kept as it is.
 */
export function clientAddressKey(address: string): string {
  const bare = address.split('%', 1)[0] ?? address;
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return address;
  const groups = expandIPv6(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  const network = [...groups.slice(0, 4), 0, 0, 0, 0].map((g) => g.toString(16)).join(':');
  // The WHATWG URL parser writes IPv6 hosts in the RFC 5952 form.
  return `${new URL(`http://[${network}]`).hostname.slice(1, -1)}/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with or without `::` and a dotted IPv4 tail). */
function expandIPv6(address: string): number[] {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((piece) => {
      if (!piece.includes('.')) return [parseInt(piece, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = address.split('::');
  const left = toGroups(head);
  if (tail === undefined) return left;
  const right = toGroups(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
