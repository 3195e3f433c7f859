import ipaddr from "ipaddr.js";
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

/** Parsed `TRUSTED_PROXIES`: does an address belong to a proxy we trust? */
export type TrustedProxies = (address: string) => boolean;

/**
 * Parses a comma-separated list of addresses and CIDR ranges (IPv4 and IPv6).
 *
 * @param list e.g. `10.0.0.0/8, 192.168.1.7, fd00::/8`; empty trusts nobody
 * @throws {Error} naming the entry that is not an address or range
 */
export function parseTrustedProxies(list: string): TrustedProxies {
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    try {
      if (raw.includes("/")) ranges.push(ipaddr.parseCIDR(raw));
      else {
        const address = normalize(raw);
        ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
      }
    } catch {
      throw new Error(`TRUSTED_PROXIES: "${raw}" is not an IP address or CIDR range`);
    }
  }
  if (ranges.length === 0) return () => false;
  return (address) => {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = normalize(address);
    } catch {
      return false;
    }
    return ranges.some(([range, bits]) =>
      range.kind() === parsed.kind() && parsed.match([range, bits] as never)
    );
  };
}

/** Parses an address, turning IPv4-mapped IPv6 (`::ffff:10.0.0.1`) into IPv4. */
function normalize(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(address);
  return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
}

/**
 * The caller's address: the connection's peer, unless that peer is a trusted
 * proxy, in which case `X-Forwarded-For` is walked from the right, skipping
 * trusted proxies; the first untrusted hop is the caller. A client cannot
 * choose its address by sending the header itself.
 *
 * @param c the request context
 * @param trusted proxies whose forwarding header is believed
 */
export function clientAddress(c: Context, trusted: TrustedProxies): string {
  let peer: string;
  try {
    peer = getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
  return forwardedAddress(peer, c.req.header("x-forwarded-for"), trusted);
}

/**
 * The caller's address from the connection's peer and its `X-Forwarded-For`
 * header: the peer itself unless it is a trusted proxy, else the rightmost hop
 * that is not a trusted proxy.
 *
 * @param peer the address of the TCP peer
 * @param forwardedFor the `X-Forwarded-For` header, if any
 * @param trusted proxies whose forwarding header is believed
 */
export function forwardedAddress(
  peer: string,
  forwardedFor: string | null | undefined,
  trusted: TrustedProxies,
): string {
  if (!trusted(peer)) return peer;
  const hops = (forwardedFor ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  let caller = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    caller = hops[i]!;
    if (!trusted(caller)) break;
  }
  return caller;
}
