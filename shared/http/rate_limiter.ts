import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { Cache } from "../cache/mod.ts";

/** A budget: at most `limit` requests per key in each window of `windowSeconds`. */
export interface RateLimitPolicy {
  /** Names the budget in keys and logs, e.g. `api`, `anonymous`, `auth:token`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** What {@linkcode RateLimiter.consume} decided. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Seconds until the window resets (at least 1 when refused). */
  retryAfterSeconds: number;
}

/** Counts requests per key against a policy; shared across processes when on Redis. */
export interface RateLimiter {
  /** Where counts live. */
  readonly kind: "redis" | "memory";
  /** Counts one request for `key` and says whether it is within the budget. */
  consume(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision>;
  /** Whether one more request for `key` would be allowed, without counting it. */
  peek(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision>;
}

/**
 * Fixed windows counted in this process, each starting at a key's first
 * request: the fallback when no Redis is configured. Processes do not share
 * these counts.
 *
 * @param now clock in milliseconds, for tests
 */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (id: string, policy: RateLimitPolicy, at: number) => {
    let window = windows.get(id);
    if (!window || window.resetAt <= at) {
      if (windows.size > 50_000) {
        for (const [k, w] of windows) if (w.resetAt <= at) windows.delete(k);
      }
      // A key's window starts with its first request (Redis's are aligned to the
      // clock instead); either way a key gets at most `limit` per window.
      window = { count: 0, resetAt: at + policy.windowSeconds * 1000 };
      windows.set(id, window);
    }
    return window;
  };
  const decide = (count: number, resetAt: number, policy: RateLimitPolicy, at: number) => ({
    allowed: count <= policy.limit,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - at) / 1000)),
  });
  return {
    kind: "memory",
    consume(key, policy) {
      const at = now();
      const window = current(`${policy.name}|${key}`, policy, at);
      window.count++;
      return Promise.resolve(decide(window.count, window.resetAt, policy, at));
    },
    peek(key, policy) {
      const at = now();
      const window = current(`${policy.name}|${key}`, policy, at);
      return Promise.resolve(decide(window.count + 1, window.resetAt, policy, at));
    },
  };
}

/** Options of {@linkcode createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** Key prefix in Redis; default `ciq:rl`. */
  prefix?: string;
  /**
   * How long to wait for Redis before letting the request through (fail open, as
   * `@upstash/ratelimit` does); default 1000 ms.
   */
  timeoutMs?: number;
}

/**
 * Fixed windows counted in Redis by `@upstash/ratelimit` (one Lua script per
 * request, `EVALSHA` with an `EVAL` fallback), so every process shares them.
 *
 * @param redis an `@upstash/redis` client
 * @param options key prefix and timeout
 */
export function createRedisRateLimiter(
  redis: Redis,
  options: RedisRateLimiterOptions = {},
): RateLimiter {
  const prefix = options.prefix ?? "ciq:rl";
  const limiters = new Map<string, Ratelimit>();
  const limiterFor = (policy: RateLimitPolicy) => {
    const id = `${policy.name}|${policy.limit}|${policy.windowSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.fixedWindow(policy.limit, `${policy.windowSeconds} s`),
        prefix: `${prefix}:${policy.name}`,
        timeout: options.timeoutMs ?? 1000,
        analytics: false,
        // Keys over their budget are refused from memory until their window resets.
        ephemeralCache: new Map(),
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  const retryAfter = (reset: number) => Math.max(1, Math.ceil((reset - Date.now()) / 1000));
  return {
    kind: "redis",
    async consume(key, policy) {
      const result = await limiterFor(policy).limit(key);
      return {
        allowed: result.success,
        limit: policy.limit,
        remaining: Math.max(0, result.remaining),
        retryAfterSeconds: retryAfter(result.reset),
      };
    },
    async peek(key, policy) {
      const result = await limiterFor(policy).getRemaining(key);
      return {
        allowed: result.remaining > 0,
        limit: policy.limit,
        remaining: Math.max(0, result.remaining),
        retryAfterSeconds: retryAfter(result.reset),
      };
    },
  };
}

const byCache = new WeakMap<Cache, RateLimiter>();

/**
 * The limiter that goes with a cache: on its Redis when it has one, else in
 * this process. One per cache, so every app built from the same services
 * shares its counts.
 *
 * @param cache the services' cache
 */
export function rateLimiterFor(cache: Cache): RateLimiter {
  let limiter = byCache.get(cache);
  if (!limiter) {
    limiter = cache.redis ? createRedisRateLimiter(cache.redis) : createMemoryRateLimiter();
    byCache.set(cache, limiter);
  }
  return limiter;
}
