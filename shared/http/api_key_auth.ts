import type { Context } from "hono";
import type { ApiKeyPrincipal, ApiKeyVerifier } from "../api_keys/verifier.ts";
import { clientAddress, type TrustedProxies } from "./client_address.ts";

/**
 * Verifies the API key a request carries as its bearer credential. Memoized
 * per request, so the rate limiter (which runs first) and the gate share one
 * database lookup.
 */
export type ApiKeyAuthenticator = (c: Context) => Promise<ApiKeyPrincipal>;

/**
 * The bearer credential of a request, if any.
 *
 * @param c the request context
 */
export function bearerCredential(c: Context): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
}

/**
 * Builds the per-request key check.
 *
 * @param verifier checks keys against the database
 * @param trustedProxies proxies whose `X-Forwarded-For` is believed (for "last used from")
 */
export function apiKeyAuthenticator(
  verifier: ApiKeyVerifier,
  trustedProxies: TrustedProxies,
): ApiKeyAuthenticator {
  const verified = new WeakMap<Request, Promise<ApiKeyPrincipal>>();
  return (c) => {
    let pending = verified.get(c.req.raw);
    if (!pending) {
      pending = verifier.verify(bearerCredential(c) ?? "", clientAddress(c, trustedProxies));
      pending.catch(() => {});
      verified.set(c.req.raw, pending);
    }
    return pending;
  };
}
