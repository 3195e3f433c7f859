/**
 * The key-value cache every function shares: Upstash Redis in hosted mode, the
 * local Upstash-compatible stand-in over `redis-server` in development, and an
 * in-process map only when no Redis exists at all. Values are JSON.
 *
 * @module
 */
import type { Redis } from "@upstash/redis";

/** Options of {@linkcode Cache.set}. */
export interface CacheSetOptions {
  /** Expire the key after this many seconds (none: keep until deleted or evicted). */
  ttlSeconds?: number;
}

/** A JSON key-value store with expiry and counters. */
export interface Cache {
  /** Where values live: a Redis server, or this process only. */
  readonly kind: "redis" | "memory";
  /**
   * The `@upstash/redis` client behind a Redis cache, for shared state that is
   * not a plain value (the rate limiter's scripts); absent in-process.
   */
  readonly redis?: Redis;
  /** The value stored under `key`, or `null` when absent or expired. */
  get<T>(key: string): Promise<T | null>;
  /** Stores `value` (JSON-serialisable) under `key`. */
  set(key: string, value: unknown, options?: CacheSetOptions): Promise<void>;
  /** Deletes keys; resolves to how many existed. */
  del(...keys: string[]): Promise<number>;
  /** Adds one to the counter under `key` (0 when absent) and returns the new value. */
  incr(key: string, options?: CacheSetOptions): Promise<number>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * An in-process {@linkcode Cache}: for tests and for running with no Redis at
 * all. Counts are per process, so several processes do not share them.
 *
 * @param now clock in milliseconds, for tests
 */
export function createMemoryCache(now: () => number = Date.now): Cache {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (options?: CacheSetOptions) =>
    options?.ttlSeconds ? now() + options.ttlSeconds * 1000 : Infinity;
  return {
    kind: "memory",
    get: <T>(key: string) => {
      const entry = live(key);
      return Promise.resolve(entry ? JSON.parse(entry.value) as T : null);
    },
    set: (key, value, options) => {
      entries.set(key, { value: JSON.stringify(value), expiresAt: expiry(options) });
      return Promise.resolve();
    },
    del: (...keys) => {
      let existed = 0;
      for (const key of keys) if (live(key) && entries.delete(key)) existed++;
      return Promise.resolve(existed);
    },
    incr: (key, options) => {
      const entry = live(key);
      const next = (entry ? Number(JSON.parse(entry.value)) : 0) + 1;
      entries.set(key, {
        value: JSON.stringify(next),
        expiresAt: entry ? entry.expiresAt : expiry(options),
      });
      return Promise.resolve(next);
    },
  };
}
