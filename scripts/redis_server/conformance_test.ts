// The stand-in driven by the real @upstash/redis client (and by raw HTTP where
// the client hides the wire format), over a real redis-server.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Redis } from "@upstash/redis";
import {
  createRedisRestServer,
  type RedisStandIn,
  redisUnavailableReason,
  startRedisProcess,
  startRedisStandIn,
} from "./mod.ts";

const unavailable = await redisUnavailableReason();
// deno-lint-ignore no-console
if (unavailable) console.warn(unavailable);

function suite(name: string, fn: (standIn: RedisStandIn) => Promise<void>) {
  Deno.test({
    name: `redis stand-in: ${name}`,
    ignore: unavailable !== null,
    async fn() {
      const standIn = await startRedisStandIn();
      try {
        await fn(standIn);
      } finally {
        await standIn.stop();
      }
    },
  });
}

const client = (standIn: RedisStandIn, options: { autoPipeline?: boolean } = {}) =>
  new Redis({
    url: standIn.url,
    token: standIn.token,
    enableAutoPipelining: options.autoPipeline ?? false,
    enableTelemetry: false,
  });

const post = (standIn: RedisStandIn, path: string, body: unknown, headers: HeadersInit = {}) =>
  fetch(`${standIn.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${standIn.token}`, ...headers },
    body: JSON.stringify(body),
  });

suite("get, set, expiry and JSON values through the client", async (standIn) => {
  const redis = client(standIn);
  assert.equal(await redis.set("greeting", { text: "héllo ✓", n: 1 }), "OK");
  assert.deepEqual(await redis.get("greeting"), { text: "héllo ✓", n: 1 });
  assert.equal(await redis.get("missing"), null);
  await redis.set("short", "lived", { ex: 100 });
  const ttl = await redis.ttl("short");
  assert.ok(ttl > 0 && ttl <= 100, `ttl ${ttl}`);
  await redis.set("gone", "soon", { px: 1 });
  // Expiry is Redis's own: wait until the key is gone rather than for a time.
  let value: unknown = "soon";
  for (let i = 0; i < 200 && value !== null; i++) {
    value = await redis.get("gone");
    if (value !== null) await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(value, null);
  assert.equal(await redis.del("greeting", "short", "never"), 2);
});

suite("counters and lists keep Redis semantics", async (standIn) => {
  const redis = client(standIn);
  assert.equal(await redis.incr("hits"), 1);
  assert.equal(await redis.incrby("hits", 41), 42);
  await redis.rpush("queue", "a", "b", "c");
  assert.deepEqual(await redis.lrange("queue", 0, -1), ["a", "b", "c"]);
  await redis.hset("user:1", { name: "Ada", age: 36 });
  assert.deepEqual(await redis.hgetall("user:1"), { name: "Ada", age: 36 });
});

suite("explicit pipelines and multi-exec return one result per command", async (standIn) => {
  const redis = client(standIn);
  const piped = await redis.pipeline().set("p", 1).incr("p").get("p").exec();
  assert.deepEqual(piped, ["OK", 2, 2]);
  const atomic = await redis.multi().set("m", "x").append("m", "yz").get("m").exec();
  assert.deepEqual(atomic, ["OK", 3, "xyz"]);
});

Deno.test({
  name: "redis stand-in: auto-pipelining batches concurrent calls into POST /pipeline",
  ignore: unavailable !== null,
  async fn() {
    const process = await startRedisProcess();
    const rest = createRedisRestServer({ redisUrl: process.url });
    const paths: string[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      paths.push(new URL(req.url).pathname);
      return rest.fetch(req);
    });
    try {
      const redis = new Redis({
        url: `http://127.0.0.1:${server.addr.port}`,
        token: rest.token,
        enableAutoPipelining: true,
        enableTelemetry: false,
      });
      const results = await Promise.all([
        redis.set("a", "1"),
        redis.set("b", "2"),
        redis.incr("c"),
        redis.mget("a", "b"),
      ]);
      assert.deepEqual(results, ["OK", "OK", 1, [1, 2]]);
      // Batched by the SDK (how many batches depends on its scheduling): fewer requests than calls.
      assert.ok(paths.every((path) => path === "/pipeline"), paths.join(" "));
      assert.ok(paths.length < 4, paths.join(" "));
    } finally {
      await server.shutdown();
      await rest.close();
      await process.stop();
    }
  },
});

suite("EVAL and EVALSHA run Lua scripts; an unknown SHA is NOSCRIPT", async (standIn) => {
  const redis = client(standIn);
  const script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
  assert.equal(await redis.eval(script, ["counter"], [5]), 5);
  const sha = await redis.scriptLoad(script);
  assert.equal(await redis.evalsha(sha, ["counter"], [2]), 7);
  await assert.rejects(redis.evalsha("0".repeat(40), ["counter"], [1]), /NOSCRIPT/);
  const s = redis.createScript<number>(script);
  assert.equal(await s.exec(["counter"], ["3"]), 10);
});

suite(
  "scripts with Upstash's allow-key-locking flag run, by EVAL and by the client's SHA",
  async (standIn) => {
    const redis = client(standIn);
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
    const sha = createHash("sha1").update(script).digest("hex");
    await assert.rejects(redis.evalsha(sha, ["locked"], []), /NOSCRIPT/);
    assert.equal(await redis.eval(script, ["locked"], []), 1);
    assert.equal(await redis.evalsha(sha, ["locked"], []), 2);
  },
);

suite("Redis errors come back as the client's errors", async (standIn) => {
  const redis = client(standIn);
  await redis.set("text", "abc");
  await assert.rejects(redis.incr("text"), /ERR value is not an integer/);
  await assert.rejects(redis.lpush("text", "x"), /WRONGTYPE/);
  const piped = redis.pipeline().incr("text").set("ok", 1);
  await assert.rejects(piped.exec(), /ERR value is not an integer/);
});

suite(
  "wire format: base64 encoding, error shapes, path commands, token checks",
  async (standIn) => {
    await post(standIn, "/", ["SET", "k", "välue"]);
    const plain = await post(standIn, "/", ["GET", "k"]);
    assert.deepEqual(await plain.json(), { result: "välue" });
    const encoded = await post(standIn, "/", ["GET", "k"], { "upstash-encoding": "base64" });
    const { result } = await encoded.json();
    assert.equal(
      new TextDecoder().decode(Uint8Array.from(atob(result), (c) => c.charCodeAt(0))),
      "välue",
    );
    const ok = await post(standIn, "/", ["SET", "k", "v"], { "upstash-encoding": "base64" });
    assert.deepEqual(await ok.json(), { result: "OK" });

    const bad = await post(standIn, "/", ["NOSUCHCOMMAND"]);
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /^ERR unknown command/);
    const malformed = await post(standIn, "/", { set: "k" });
    assert.equal(malformed.status, 400);
    assert.match((await malformed.json()).error, /JSON array/);
    const blocking = await post(standIn, "/", ["BLPOP", "q", 0]);
    assert.equal(blocking.status, 400);

    const pipeline = await post(standIn, "/pipeline", [["SET", "n", "x"], ["INCR", "n"], [
      "GET",
      "n",
    ]]);
    assert.equal(pipeline.status, 200);
    const items = await pipeline.json();
    assert.deepEqual(items[0], { result: "OK" });
    assert.match(items[1].error, /not an integer/);
    assert.deepEqual(items[2], { result: "x" });

    const path = await fetch(`${standIn.url}/set/path%20key/path%20value`, {
      headers: { authorization: `Bearer ${standIn.token}` },
    });
    assert.deepEqual(await path.json(), { result: "OK" });
    const read = await fetch(`${standIn.url}/get/path%20key?_token=${standIn.token}`);
    assert.deepEqual(await read.json(), { result: "path value" });

    const wrong = await fetch(`${standIn.url}/`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
      body: JSON.stringify(["GET", "k"]),
    });
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), { error: "Unauthorized" });
    const none = await fetch(`${standIn.url}/get/k`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const client401 = new Redis({ url: standIn.url, token: "nope", enableTelemetry: false });
    await assert.rejects(client401.get("k"), /Unauthorized/);
  },
);
