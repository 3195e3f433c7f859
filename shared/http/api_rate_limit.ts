import type { Context, MiddlewareHandler } from "hono";
import type { TokenVerifier } from "../auth/mod.ts";
import { ConfigError } from "../env/mod.ts";
import type { Services } from "./app.ts";
import { parseTrustedProxies, type TrustedProxies } from "./client_address.ts";
import { rateLimit, type RateLimitPrincipal } from "./rate_limit.ts";
import { rateLimiterFor } from "./rate_limiter.ts";
import type { ApiKeyAuthenticator } from "./api_key_auth.ts";

/**
 * Every function's request limit, from configuration: `RATE_LIMIT_PER_MINUTE`
 * per signed-in user and per anonymous address, counted in Redis when the
 * services' cache is on Redis (so all processes share the counts), else in
 * this process. The principal is the user whose bearer token (or SSE
 * `access_token`) verifies, through the same cached verifier the auth step uses,
 * or the API key (`ciq_…`) that verifies: each key has its own budget.
 *
 * @param services configuration, cache, token verifier and logger
 * @param apiKeys the per-request API key check the gate shares; without it keys count as anonymous
 * @throws {ConfigError} when TRUSTED_PROXIES does not parse
 */
export function apiRateLimit(
  services: Pick<Services, "config" | "cache" | "auth" | "log">,
  apiKeys?: ApiKeyAuthenticator,
): MiddlewareHandler {
  const limit = services.config.RATE_LIMIT_PER_MINUTE;
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(services.config.TRUSTED_PROXIES);
  } catch (error) {
    throw new ConfigError(`Cannot start: ${(error as Error).message}`);
  }
  return rateLimit({
    limiter: rateLimiterFor(services.cache),
    policy: { name: "api", limit, windowSeconds: 60 },
    anonymousPolicy: { name: "anonymous", limit, windowSeconds: 60 },
    trustedProxies,
    identify: bearerPrincipal(services.auth, apiKeys),
    log: services.log,
  });
}

/**
 * Finds the user whose bearer token verifies; null for no token or one that
 * does not verify (the auth step answers 401 for those where it matters).
 *
 * @param verifier the token verifier (cached, so the auth step's second call is cheap)
 * @param apiKeys the API key check (memoized per request, so the gate's call is free)
 */
export function bearerPrincipal(
  verifier: TokenVerifier,
  apiKeys?: ApiKeyAuthenticator,
): (c: Context) => Promise<RateLimitPrincipal | null> {
  return async (c) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ??
      c.req.query("access_token");
    if (!token) return null;
    if (token.startsWith("ciq_")) {
      if (!apiKeys) return null;
      try {
        return { kind: "api_key", id: (await apiKeys(c)).keyId };
      } catch {
        return null;
      }
    }
    try {
      const claims = await verifier.verify(token);
      return { kind: "user", id: claims.sub };
    } catch {
      return null;
    }
  };
}
