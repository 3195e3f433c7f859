import { base64url, SignJWT } from "jose";

/** What {@linkcode signDelivery} signs. */
export interface DeliveryToSign {
  /** The signing key string, e.g. "sig_…" (used as raw HS256 key bytes). */
  key: string;
  /** Exact destination URL; becomes `sub`. */
  url: string;
  /** Raw body bytes; their SHA-256 becomes `body`. */
  body: Uint8Array;
  /** Seconds since the epoch; now by default. */
  now?: number;
  /** Lifetime in seconds (default 300, as QStash). */
  lifetime?: number;
}

/**
 * Signs a delivery the way QStash does: an HS256 JWT with `iss: "Upstash"`,
 * `sub` the destination URL, `body` the base64url SHA-256 of the raw body, and a
 * five-minute lifetime. `@upstash/qstash`'s Receiver verifies it unchanged.
 *
 * @param delivery key, destination, body and time
 */
export async function signDelivery(delivery: DeliveryToSign): Promise<string> {
  const now = delivery.now ?? Math.floor(Date.now() / 1000);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", delivery.body as Uint8Array<ArrayBuffer>),
  );
  return await new SignJWT({ body: base64url.encode(digest) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("Upstash")
    .setSubject(delivery.url)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (delivery.lifetime ?? 300))
    .setJti(`jwt_${randomId(20)}`)
    .sign(new TextEncoder().encode(delivery.key));
}

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/**
 * A random base58 string, the style QStash ids and keys use.
 *
 * @param length characters
 */
export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}
