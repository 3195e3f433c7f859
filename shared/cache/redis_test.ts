import assert from "node:assert/strict";
import { loadConfig } from "../env/mod.ts";
import { createLogger } from "../log/mod.ts";
import { redisUnavailableReason, startRedisStandIn } from "../../scripts/redis_server/mod.ts";
import { cacheFromConfig, redisFromConfig } from "./mod.ts";

const unavailable = await redisUnavailableReason();
// deno-lint-ignore no-console
if (unavailable) console.warn(unavailable);

Deno.test({
  name: "createRedisCache() shares values and counters between processes' caches",
  ignore: unavailable !== null,
  async fn() {
    const standIn = await startRedisStandIn();
    try {
      const config = loadConfig({
        UPSTASH_REDIS_REST_URL: standIn.url,
        UPSTASH_REDIS_REST_TOKEN: standIn.token,
      });
      const log = createLogger({ level: "silent" });
      const a = cacheFromConfig(config, log);
      const b = cacheFromConfig(config, log);
      assert.equal(a.kind, "redis");
      await a.set("report", { n: 1, s: "é", list: [1, null] }, { ttlSeconds: 60 });
      assert.deepEqual(await b.get("report"), { n: 1, s: "é", list: [1, null] });
      await a.set("string", "42");
      assert.equal(await b.get("string"), "42", "a JSON string stays a string");
      assert.equal(await b.get("absent"), null);

      assert.equal(await a.incr("hits", { ttlSeconds: 30 }), 1);
      assert.equal(await b.incr("hits", { ttlSeconds: 600 }), 2);
      const ttl = await a.redis!.ttl("hits");
      assert.ok(ttl > 0 && ttl <= 30, `the first expiry is kept (ttl ${ttl})`);
      assert.equal(await b.get("hits"), 2);

      assert.equal(await b.del("report", "hits", "absent"), 2);
      assert.equal(await a.get("report"), null);
      assert.equal(await a.del(), 0);
    } finally {
      await standIn.stop();
    }
  },
});

Deno.test("cacheFromConfig() falls back to this process and says so", () => {
  const lines: unknown[] = [];
  const log = createLogger({ level: "info", sink: (line: string) => lines.push(line) });
  const cache = cacheFromConfig(loadConfig({}), log);
  assert.equal(cache.kind, "memory");
  assert.match(String(lines[0]), /in-process/);
});

Deno.test("redisFromConfig() refuses a URL without a token", () => {
  assert.throws(
    () => redisFromConfig(loadConfig({ UPSTASH_REDIS_REST_URL: "https://example.upstash.io" })),
    /UPSTASH_REDIS_REST_TOKEN/,
  );
});

Deno.test("a Redis REST endpoint that never answers fails the command instead of hanging it", async () => {
  const release = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async () => {
    await release.promise;
    return Response.json({ result: null });
  });
  try {
    const redis = redisFromConfig(loadConfig({
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${server.addr.port}`,
      UPSTASH_REDIS_REST_TOKEN: "token",
    }))!;
    await assert.rejects(redis.get("key"), /abort|timeout|timed out/i);
  } finally {
    release.resolve();
    await server.shutdown();
  }
});
