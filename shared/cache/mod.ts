export { createMemoryCache } from "./cache.ts";
export type { Cache, CacheSetOptions } from "./cache.ts";
export { cacheFromConfig, createRedisCache, redisFromConfig } from "./redis.ts";
export type { RedisCacheOptions } from "./redis.ts";
