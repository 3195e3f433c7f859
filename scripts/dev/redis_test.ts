import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import { redisUnavailableReason } from "../redis_server/mod.ts";
import { startDevRedis } from "./redis.ts";

const unavailable = await redisUnavailableReason();
// deno-lint-ignore no-console
if (unavailable) console.warn(unavailable);

Deno.test({
  name: "startDevRedis() serves the stand-in under a mount path the SDK can use",
  ignore: unavailable !== null,
  async fn() {
    let handler: (req: Request) => Promise<Response> = () => Promise.resolve(new Response());
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      const url = new URL(req.url);
      url.pathname = url.pathname.replace(/^\/redis/, "") || "/";
      return handler(new Request(url, req));
    });
    const mountUrl = `http://127.0.0.1:${server.addr.port}/redis`;
    const redis = await startDevRedis({ enabled: true, configuredUrl: undefined, mountUrl });
    try {
      handler = redis.rest!.fetch;
      assert.equal(redis.env.UPSTASH_REDIS_REST_URL, mountUrl);
      assert.match(redis.label, /redis-server on 127\.0\.0\.1:\d+/);
      const client = new Redis({
        url: redis.env.UPSTASH_REDIS_REST_URL!,
        token: redis.env.UPSTASH_REDIS_REST_TOKEN!,
        enableTelemetry: false,
      });
      await client.set("k", "v");
      assert.deepEqual(await Promise.all([client.get("k"), client.incr("n")]), ["v", 1]);
    } finally {
      await redis.stop();
      await server.shutdown();
    }
  },
});

Deno.test("startDevRedis() leaves a configured Upstash alone and can be turned off", async () => {
  const hosted = await startDevRedis({
    enabled: true,
    configuredUrl: "https://eu1-x.upstash.io",
    mountUrl: "http://localhost:8000/redis",
  });
  assert.equal(hosted.rest, null);
  assert.deepEqual(hosted.env, {});
  assert.match(hosted.label, /Upstash Redis at https:\/\/eu1-x\.upstash\.io/);
  const off = await startDevRedis({ enabled: false, configuredUrl: undefined, mountUrl: "" });
  assert.equal(off.rest, null);
  assert.match(off.label, /in-process fallback/);
});
