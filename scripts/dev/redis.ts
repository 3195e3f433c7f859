// The dev stack's Redis: the Upstash REST stand-in over a private redis-server,
// an Upstash URL from the environment, or nothing (in-process fallback).
import {
  createRedisRestServer,
  type RedisProcess,
  type RedisRestServer,
  redisServerAvailable,
  startRedisProcess,
} from "../redis_server/mod.ts";

/** What the stack runs for Redis. */
export interface DevRedis {
  /** The REST front end to mount at /redis, or null. */
  rest: RedisRestServer | null;
  /** Environment for the functions (`UPSTASH_REDIS_REST_URL`/`_TOKEN`). */
  env: Record<string, string>;
  /** For the banner. */
  label: string;
  stop(): Promise<void>;
}

/**
 * Starts redis-server and the REST stand-in mounted at `mountUrl` when Redis is
 * wanted, none is configured and redis-server is on PATH.
 *
 * @param options whether to start it, a configured URL, and where it is mounted
 */
export async function startDevRedis(options: {
  enabled: boolean;
  configuredUrl: string | undefined;
  mountUrl: string;
}): Promise<DevRedis> {
  if (options.configuredUrl) {
    return {
      rest: null,
      env: {},
      label: `Upstash Redis at ${new URL(options.configuredUrl).origin}`,
      stop: () => Promise.resolve(),
    };
  }
  const none = (why: string): DevRedis => ({
    rest: null,
    env: {},
    label: `in-process fallback (${why}): cache and rate limits are per process`,
    stop: () => Promise.resolve(),
  });
  if (!options.enabled) return none("Redis turned off");
  if (!await redisServerAvailable()) return none("redis-server is not on PATH");
  let process: RedisProcess;
  try {
    process = await startRedisProcess();
  } catch (error) {
    return none(error instanceof Error ? error.message : String(error));
  }
  const rest = createRedisRestServer({ redisUrl: process.url });
  return {
    rest,
    env: { UPSTASH_REDIS_REST_URL: options.mountUrl, UPSTASH_REDIS_REST_TOKEN: rest.token },
    label: `redis-server on ${process.url.replace("redis://", "")} behind the Upstash REST ` +
      `stand-in at ${options.mountUrl}`,
    stop: async () => {
      await rest.close();
      await process.stop();
    },
  };
}
