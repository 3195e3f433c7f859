import type { RateLimiter as SharedRateLimiter } from "../../shared/http/rate_limiter.ts";
import { AuthError } from "./_errors.ts";

/** A fixed-window limit: at most `limit` requests per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** Endpoints that are rate limited, each per client IP and per email address. */
export type RateLimitedAction = "signup" | "token" | "refresh" | "recover" | "otp" | "verify";

/**
 * Far stricter than the API's budget (1200 a minute), close to hosted Supabase
 * Auth's defaults: password guessing, mass sign-ups and mail bombing stop early,
 * while a person (or a browser test) signing in now and then never notices.
 */
export const DEFAULT_RATE_LIMITS: Record<RateLimitedAction, RateLimit> = {
  /** Sign-ups per address and per email. */
  signup: { limit: 30, windowSeconds: 300 },
  /** Password and PKCE sign-ins per address and per email. */
  token: { limit: 30, windowSeconds: 300 },
  /** Refresh-token grants per address (every open tab refreshes hourly). */
  refresh: { limit: 150, windowSeconds: 300 },
  /** Password-recovery emails per address and per email. */
  recover: { limit: 10, windowSeconds: 3600 },
  /** Magic-link / OTP emails per address and per email. */
  otp: { limit: 10, windowSeconds: 3600 },
  /** Verification attempts per address and per email. */
  verify: { limit: 30, windowSeconds: 300 },
};

/** The auth server's view of the shared limiter. */
export interface RateLimiter {
  /**
   * Counts one request for each key (e.g. `ip:…`, `email:…`).
   *
   * @throws {AuthError} 429 `over_request_rate_limit` when any key is over its limit
   */
  hit(action: RateLimitedAction, keys: string[]): Promise<void>;
}

/**
 * Auth-endpoint limits through the product's rate limiter (shared through Redis
 * when the stack runs it), each action a policy of its own (`auth:<action>`).
 *
 * @param limiter the shared limiter
 * @param limits per-action limits; missing actions use {@linkcode DEFAULT_RATE_LIMITS}
 */
export function createRateLimiter(
  limiter: SharedRateLimiter,
  limits: Partial<Record<RateLimitedAction, RateLimit>> = {},
): RateLimiter {
  return {
    async hit(action, keys) {
      const { limit, windowSeconds } = limits[action] ?? DEFAULT_RATE_LIMITS[action];
      const policy = { name: `auth:${action}`, limit, windowSeconds };
      const decisions = await Promise.all(keys.map((key) => limiter.consume(key, policy)))
        // Fail open, as the functions do: Redis being away must not stop sign-ins.
        .catch(() => []);
      if (decisions.some((d) => !d.allowed)) {
        throw new AuthError(429, "over_request_rate_limit", "Request rate limit reached");
      }
    },
  };
}
