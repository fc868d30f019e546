// Octets without leading zeros: Node's listen reads `127.0.0.08` as a host name (DNS), not an address.
const LOOPBACK_IPV4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A loopback address as written, to listen on: `localhost`, an IPv4 literal in 127.0.0.0/8, `::1` or an
 * IPv4-mapped one. Never a name that merely starts like one: `127.example.com` resolves wherever its owner says.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || LOOPBACK_IPV4.test(h) || (h.startsWith('::ffff:') && LOOPBACK_IPV4.test(h.slice(7)));
}

/** The host name of a Host or Origin header (an IPv6 address in brackets there) names loopback. */
export function isLoopbackHostName(hostname: string): boolean {
  const bracketed = /^\[(.*)\]$/.exec(hostname);
  return isLoopbackAddress(bracketed ? bracketed[1] : hostname);
}
