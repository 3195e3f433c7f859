/** Options for {@linkcode normalizeInstanceUrl} and {@linkcode assertPublicInstanceUrl}. */
export interface InstanceUrlOptions {
  /**
   * Dev mode (`ALLOW_PRIVATE_INSTANCE_URLS`): accept http, private and loopback
   * addresses, and keep a path (the local simulator may be mounted under one).
   */
  allowPrivate?: boolean;
}

/** Raised for an instance URL we refuse; the message is meant for the user. */
export class InstanceUrlError extends Error {
  override name = "InstanceUrlError";
  /** Machine-readable reason, e.g. "private_address". */
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const BARE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const BLOCKED_NAMES = new Set([
  "localhost",
  "localhost.localdomain",
  "metadata",
  "metadata.google.internal",
  "instance-data",
  "instance-data.ec2.internal",
]);

/**
 * Normalizes what a user typed into the base URL of a ServiceNow instance:
 * a bare instance name becomes `https://<name>.service-now.com`; the host is
 * lowercased (IDNs to punycode) with any trailing dot removed; path, query,
 * fragment and trailing slash are dropped (dev mode keeps a path). Only https
 * is accepted outside dev mode, and never user info in the URL.
 *
 * @param input the URL or instance name
 * @param options dev-mode switch
 * @throws {InstanceUrlError} when the input is not a usable instance URL
 * @example
 * normalizeInstanceUrl("Acme") // "https://acme.service-now.com"
 * normalizeInstanceUrl("https://ACME.service-now.com/now/nav/ui?x=1") // "https://acme.service-now.com"
 */
export function normalizeInstanceUrl(input: string, options: InstanceUrlOptions = {}): string {
  const text = input.trim();
  if (!text) throw new InstanceUrlError("Enter the instance URL or name", "invalid_url");
  if (BARE_NAME.test(text) && !/^\d+$/.test(text)) {
    return `https://${text.toLowerCase()}.service-now.com`;
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InstanceUrlError(`"${text}" is not a valid URL`, "invalid_url");
  }
  if (url.protocol !== "https:" && !(options.allowPrivate && url.protocol === "http:")) {
    throw new InstanceUrlError("The instance URL must use https", "https_required");
  }
  if (url.username || url.password) {
    throw new InstanceUrlError(
      "Put credentials in the credential fields, not in the URL",
      "credentials_in_url",
    );
  }
  const host = url.hostname.replace(/\.$/, "");
  if (!host) throw new InstanceUrlError("The instance URL has no host", "invalid_url");
  const port = url.port ? `:${url.port}` : "";
  const path = options.allowPrivate ? url.pathname.replace(/\/+$/, "") : "";
  return `${url.protocol}//${host}${port}${path}`;
}

/** Resolves a host name to IP addresses (A and AAAA). */
export type HostResolver = (host: string) => Promise<string[]>;

/**
 * Resolves with `Deno.resolveDns`, A and AAAA records together.
 *
 * @param host a host name
 */
export async function resolveHost(host: string): Promise<string[]> {
  const lookups = await Promise.allSettled([
    Deno.resolveDns(host, "A"),
    Deno.resolveDns(host, "AAAA"),
  ]);
  return lookups.flatMap((r) => r.status === "fulfilled" ? r.value : []);
}

/**
 * Refuses instance URLs that point at private infrastructure (SSRF): the host
 * is resolved and every address must be public — not loopback, private,
 * link-local (cloud metadata), CGNAT, multicast, reserved or documentation
 * space. Dev mode skips the check. The check runs again before each connection
 * (save, test, sync), which narrows DNS-rebinding windows to one request.
 *
 * @param url a normalized instance URL
 * @param options dev-mode switch and the resolver (tests inject one)
 * @throws {InstanceUrlError} naming why the address is refused
 */
export async function assertPublicInstanceUrl(
  url: string,
  options: InstanceUrlOptions & { resolve?: HostResolver } = {},
): Promise<void> {
  if (options.allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (BLOCKED_NAMES.has(host) || host.endsWith(".localhost") || host.endsWith(".internal")) {
    throw new InstanceUrlError(
      `The instance host "${host}" is an internal name; use the instance's public URL`,
      "private_address",
    );
  }
  const literal = parseIp(host);
  const addresses = literal ? [host] : await (options.resolve ?? resolveHost)(host);
  if (addresses.length === 0) {
    throw new InstanceUrlError(
      `Cannot resolve the instance host "${host}": check the URL`,
      "unresolvable_host",
    );
  }
  for (const address of addresses) {
    const reason = nonPublicReason(address);
    if (reason) {
      throw new InstanceUrlError(
        `The instance host "${host}" resolves to a ${reason} address, which is not allowed`,
        "private_address",
      );
    }
  }
}

/**
 * Why an IP address is not a public unicast address, or null when it is.
 *
 * @param address an IPv4 or IPv6 address
 */
export function nonPublicReason(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return "malformed";
  if (ip.length === 4) return v4Reason(ip);
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96).
  const top = ip.slice(0, 10).every((b) => b === 0);
  if (top && ip[10] === 0xff && ip[11] === 0xff) return v4Reason(ip.slice(12));
  if (ip.slice(0, 12).every((b) => b === 0)) {
    if (ip.slice(12, 15).every((b) => b === 0) && (ip[15] === 0 || ip[15] === 1)) {
      return ip[15] === 1 ? "loopback" : "unspecified";
    }
    return v4Reason(ip.slice(12));
  }
  if (ip[0] === 0x00 && ip[1] === 0x64 && ip[2] === 0xff && ip[3] === 0x9b) {
    return v4Reason(ip.slice(12)) ?? null;
  }
  if ((ip[0]! & 0xfe) === 0xfc) return "private (unique local)";
  if (ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80) return "link-local";
  if (ip[0] === 0xfe && (ip[1]! & 0xc0) === 0xc0) return "site-local";
  if (ip[0] === 0xff) return "multicast";
  if (ip[0] === 0x20 && ip[1] === 0x01 && ip[2] === 0x0d && ip[3] === 0xb8) return "documentation";
  if (ip[0] === 0x20 && ip[1] === 0x01 && ip[2] === 0x00 && ip[3] === 0x00) {
    return "reserved (Teredo)";
  }
  if (ip[0] === 0x20 && ip[1] === 0x02) return "reserved (6to4)";
  if (ip[0] === 0x01 && ip[1] === 0x00 && ip.slice(2, 8).every((b) => b === 0)) return "discard";
  return null;
}

function v4Reason(b: Uint8Array | number[]): string | null {
  const [a, c] = [b[0]!, b[1]!];
  if (a === 0) return "unspecified";
  if (a === 10) return "private";
  if (a === 100 && c >= 64 && c <= 127) return "carrier-grade NAT";
  if (a === 127) return "loopback";
  if (a === 169 && c === 254) return "link-local (cloud metadata)";
  if (a === 172 && c >= 16 && c <= 31) return "private";
  if (a === 192 && c === 0 && b[2] === 0) return "reserved (IETF)";
  if (a === 192 && c === 0 && b[2] === 2) return "documentation";
  if (a === 192 && c === 88 && b[2] === 99) return "reserved (6to4 relay)";
  if (a === 192 && c === 168) return "private";
  if (a === 198 && (c === 18 || c === 19)) return "reserved (benchmarking)";
  if (a === 198 && c === 51 && b[2] === 100) return "documentation";
  if (a === 203 && c === 0 && b[2] === 113) return "documentation";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved";
  return null;
}

/** Parses an IPv4 or IPv6 literal into bytes, or returns null. */
function parseIp(text: string): Uint8Array | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    return parts.every((p) => p <= 255) ? new Uint8Array(parts) : null;
  }
  if (!text.includes(":") || !/^[0-9a-f:.]+$/i.test(text)) return null;
  // A trailing dotted quad (::ffff:10.0.0.1) becomes two hex groups.
  let hex = text;
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const b = parseIp(v4[1]!);
    if (!b) return null;
    const groups = `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
    hex = `${text.slice(0, v4.index)}:${groups}`;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) =>
    (s ? s.split(":") : []).map((g) => /^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
