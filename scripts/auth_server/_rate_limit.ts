import { AuthError } from "./_errors.ts";

/** A fixed-window limit: at most `limit` requests per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** Endpoints that are rate limited, each per client IP and per email address. */
export type RateLimitedAction = "signup" | "token" | "recover" | "otp" | "verify";

/** Generous defaults: a developer never meets them, a runaway script does. */
export const DEFAULT_RATE_LIMITS: Record<RateLimitedAction, RateLimit> = {
  signup: { limit: 300, windowSeconds: 300 },
  token: { limit: 1800, windowSeconds: 300 },
  recover: { limit: 300, windowSeconds: 300 },
  otp: { limit: 300, windowSeconds: 300 },
  verify: { limit: 1800, windowSeconds: 300 },
};

/** Counts requests per key in memory; one instance per server. */
export interface RateLimiter {
  /**
   * Counts one request for each key (e.g. `ip:…`, `email:…`).
   *
   * @throws {AuthError} 429 `over_request_rate_limit` when any key is over its limit
   */
  hit(action: RateLimitedAction, keys: string[], nowMs: number): void;
}

/**
 * Creates a fixed-window limiter.
 *
 * @param limits per-action limits; missing actions use {@linkcode DEFAULT_RATE_LIMITS}
 */
export function createRateLimiter(
  limits: Partial<Record<RateLimitedAction, RateLimit>> = {},
): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    hit(action, keys, nowMs) {
      const { limit, windowSeconds } = limits[action] ?? DEFAULT_RATE_LIMITS[action];
      let over = false;
      for (const key of keys) {
        const id = `${action}|${key}`;
        let window = windows.get(id);
        if (!window || window.resetAt <= nowMs) {
          window = { count: 0, resetAt: nowMs + windowSeconds * 1000 };
          windows.set(id, window);
        }
        window.count++;
        if (window.count > limit) over = true;
      }
      if (windows.size > 10_000) {
        for (const [id, w] of windows) if (w.resetAt <= nowMs) windows.delete(id);
      }
      if (over) {
        throw new AuthError(429, "over_request_rate_limit", "Request rate limit reached");
      }
    },
  };
}
