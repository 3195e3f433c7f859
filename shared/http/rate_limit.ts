import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../log/mod.ts";
import { clientAddress, type TrustedProxies } from "./client_address.ts";
import { HttpError } from "./errors.ts";
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from "./rate_limiter.ts";

/**
 * Who a request is, once its credentials verified: what budgets are keyed on.
 * `worker` is a QStash delivery whose signature verified.
 */
export interface RateLimitPrincipal {
  kind: "user" | "api_key" | "organization" | "worker";
  id: string;
}

/** Options for {@linkcode rateLimit}. */
export interface RateLimitOptions {
  limiter: RateLimiter;
  /** Budget of each verified principal; a limit of 0 turns limiting off. */
  policy: RateLimitPolicy;
  /** Budget of each address for anonymous calls and credentials that did not verify. */
  anonymousPolicy: RateLimitPolicy;
  /** Proxies whose `X-Forwarded-For` is believed. */
  trustedProxies: TrustedProxies;
  /**
   * Finds the verified principal when no earlier step has set `principal` on the
   * context: e.g. verifies the bearer token. Null (or a throw) means anonymous.
   */
  identify?: (c: Context) => Promise<RateLimitPrincipal | null>;
  log?: Logger;
}

/**
 * Limits requests per verified principal (a user, an API key, an organization),
 * or per connection address when the caller is anonymous or its credentials do
 * not verify, so junk tokens share the anonymous budget rather than each
 * getting a fresh one. A request carrying `Upstash-Signature` is let through to
 * its route, which verifies the signature and sets a `worker` principal; it is
 * counted against its address unless that happened, and refused up front once
 * that address's budget is spent. Over budget: 429 with `Retry-After`.
 *
 * @param options the limiter, budgets, trusted proxies and principal lookup
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limiter, policy, anonymousPolicy } = options;
  const safely = async (work: () => Promise<RateLimitDecision>) => {
    try {
      return await work();
    } catch (error) {
      // Fail open, as @upstash/ratelimit does on a timeout: an outage of Redis
      // must not take every function down with it.
      options.log?.warn("rate limiter unavailable; request allowed", { error });
      return null;
    }
  };
  return async (c, next) => {
    if (policy.limit <= 0) return await next();
    // Runs before the gate: the principal comes from the credentials themselves.
    const principal = await options.identify?.(c).catch(() => null) ?? null;
    if (principal?.kind === "worker") return await next();
    if (principal) {
      refuseIfOver(
        await safely(() => limiter.consume(`${principal.kind}:${principal.id}`, policy)),
      );
      return await next();
    }
    const key = `ip:${clientAddress(c, options.trustedProxies)}`;
    if (c.req.header("upstash-signature")) {
      refuseIfOver(await safely(() => limiter.peek(key, anonymousPolicy)));
      try {
        await next();
      } finally {
        if (c.get("principal")?.kind !== "worker") {
          await safely(() => limiter.consume(key, anonymousPolicy));
        }
      }
      return;
    }
    refuseIfOver(await safely(() => limiter.consume(key, anonymousPolicy)));
    await next();
  };
}

/**
 * The 429 for a refused decision, in the one error shape with `Retry-After`.
 *
 * @param decision what the limiter said (null: it could not answer, let it through)
 * @throws {HttpError} 429 when the decision refuses the request
 */
export function refuseIfOver(decision: RateLimitDecision | null): void {
  if (!decision || decision.allowed) return;
  const retryAfter = decision.retryAfterSeconds;
  throw new HttpError(429, `Too many requests: try again in ${retryAfter} s`, {
    code: "rate_limited",
    details: { limit: decision.limit, retry_after: retryAfter },
    headers: { "Retry-After": String(retryAfter) },
  });
}
