const LOOPBACK_IPV4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * A loopback address as written: `localhost`, an IPv4 literal in 127.0.0.0/8, `::1` (bracketed or not) or an
 * IPv4-mapped one. Never a name that merely starts like one: `127.example.com` resolves wherever its owner says.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || LOOPBACK_IPV4.test(h) || (h.startsWith('::ffff:') && LOOPBACK_IPV4.test(h.slice(7)));
}
