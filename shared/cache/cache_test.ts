import assert from "node:assert/strict";
import { createMemoryCache } from "./mod.ts";

Deno.test("createMemoryCache() stores JSON values until they expire", async () => {
  let clock = 1_000;
  const cache = createMemoryCache(() => clock);
  await cache.set("a", { n: 1, s: "é" }, { ttlSeconds: 2 });
  await cache.set("b", [1, 2]);
  assert.deepEqual(await cache.get("a"), { n: 1, s: "é" });
  clock += 2_000;
  assert.equal(await cache.get("a"), null);
  assert.deepEqual(await cache.get("b"), [1, 2]);
  assert.equal(await cache.del("a", "b", "c"), 1);
  assert.equal(await cache.get("b"), null);
});

Deno.test("createMemoryCache() counts from zero and keeps a counter's first expiry", async () => {
  let clock = 0;
  const cache = createMemoryCache(() => clock);
  assert.equal(await cache.incr("n", { ttlSeconds: 10 }), 1);
  clock += 5_000;
  assert.equal(await cache.incr("n", { ttlSeconds: 10 }), 2);
  clock += 5_000;
  assert.equal(await cache.incr("n"), 1);
});
