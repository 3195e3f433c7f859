import { Redis } from "@upstash/redis";
import type { Config } from "../env/mod.ts";
import { ConfigError } from "../env/mod.ts";
import type { Logger } from "../log/mod.ts";
import { type Cache, type CacheSetOptions, createMemoryCache } from "./cache.ts";

/** Options of {@linkcode createRedisCache}. */
export interface RedisCacheOptions {
  /** Prepended to every key, so several deployments can share one database. */
  prefix?: string;
}

/**
 * A {@linkcode Cache} on Redis through `@upstash/redis` (Upstash in hosted mode,
 * the local stand-in in development): values and counters are shared by every
 * process that uses the same database.
 *
 * @param redis an `@upstash/redis` client
 * @param options key prefix
 */
export function createRedisCache(redis: Redis, options: RedisCacheOptions = {}): Cache {
  const prefix = options.prefix ?? "";
  const k = (key: string) => prefix + key;
  return {
    kind: "redis",
    redis,
    async get<T>(key: string) {
      const raw = await redis.get<string>(k(key));
      return raw === null ? null : JSON.parse(raw) as T;
    },
    async set(key: string, value: unknown, options?: CacheSetOptions) {
      const json = JSON.stringify(value);
      if (options?.ttlSeconds) await redis.set(k(key), json, { ex: Math.ceil(options.ttlSeconds) });
      else await redis.set(k(key), json);
    },
    async del(...keys: string[]) {
      return keys.length ? await redis.del(...keys.map(k)) : 0;
    },
    async incr(key: string, options?: CacheSetOptions) {
      if (!options?.ttlSeconds) return await redis.incr(k(key));
      // One round trip, atomic; NX keeps the first expiry, as the in-process cache does.
      const [count] = await redis.multi()
        .incr(k(key))
        .expire(k(key), Math.ceil(options.ttlSeconds), "NX")
        .exec<[number, number]>();
      return count;
    },
  };
}

/** The most one Redis REST command may take. */
const REDIS_COMMAND_TIMEOUT_MS = 5_000;

/**
 * The `@upstash/redis` client the configuration asks for, or null when
 * `UPSTASH_REDIS_REST_URL` is not set.
 *
 * @param config validated configuration
 * @throws {ConfigError} when the URL is set without a token
 */
export function redisFromConfig(config: Config): Redis | null {
  if (!config.UPSTASH_REDIS_REST_URL) return null;
  if (!config.UPSTASH_REDIS_REST_TOKEN) {
    throw new ConfigError(
      "Cannot start: UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not",
    );
  }
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    // Values are JSON text we write and parse ourselves, in both cache kinds.
    automaticDeserialization: false,
    enableTelemetry: false,
    // A command that never answers fails its caller instead of hanging it.
    signal: () => AbortSignal.timeout(REDIS_COMMAND_TIMEOUT_MS),
  });
}

/**
 * The cache the configuration asks for: Redis when `UPSTASH_REDIS_REST_URL` is
 * set, else in-process — announced in one start-up log line either way.
 *
 * @param config validated configuration
 * @param log where the announcement goes
 */
export function cacheFromConfig(config: Config, log: Logger): Cache {
  const redis = redisFromConfig(config);
  if (redis) {
    log.info("cache and rate limits: Redis", {
      event: "startup.redis",
      url: new URL(config.UPSTASH_REDIS_REST_URL!).origin,
    });
    return createRedisCache(redis);
  }
  log.info(
    "cache and rate limits: in-process (UPSTASH_REDIS_REST_URL is not set), not shared between processes",
    { event: "startup.redis", url: null },
  );
  return createMemoryCache();
}
