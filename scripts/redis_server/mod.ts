/**
 * Local Upstash Redis stand-in for the dev stack and tests: the Upstash REST
 * protocol that `@upstash/redis` speaks, in front of a real `redis-server`
 * started on a free loopback port. The product never imports it.
 *
 * @module
 */
export { createRedisRestServer, redisUnavailableReason, startRedisStandIn } from "./server.ts";
export type { RedisRestServer, RedisRestServerOptions, RedisStandIn } from "./server.ts";
export { redisServerAvailable, startRedisProcess } from "./_process.ts";
export type { RedisProcess } from "./_process.ts";
