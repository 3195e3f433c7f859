export { createMemoryCache } from "./cache.ts";
export type { Cache, CacheSetOptions } from "./cache.ts";
