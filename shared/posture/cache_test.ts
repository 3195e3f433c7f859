import assert from "node:assert/strict";
import { type Cache, createMemoryCache } from "../cache/mod.ts";
import { cachedPosture, invalidatePosture, postureVersion } from "./cache.ts";

const ORG = "00000000-0000-4000-8000-000000000001";

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

Deno.test("cachedPosture() computes once, then answers from the cache until invalidated", async () => {
  const cache = createMemoryCache();
  let loads = 0;
  const load = () => Promise.resolve({ n: ++loads });
  assert.deepEqual(await cachedPosture(cache, "t", ORG, "x", load), {
    value: { n: 1 },
    hit: false,
  });
  assert.deepEqual(await cachedPosture(cache, "t", ORG, "x", load), { value: { n: 1 }, hit: true });
  // Another filter is another entry.
  assert.deepEqual(await cachedPosture(cache, "t", ORG, "y", load), {
    value: { n: 2 },
    hit: false,
  });
  await invalidatePosture(cache, ORG, "suppression");
  assert.deepEqual(await cachedPosture(cache, "t", ORG, "x", load), {
    value: { n: 3 },
    hit: false,
  });
  // Other organizations keep their entries.
  const other = "00000000-0000-4000-8000-000000000002";
  await cachedPosture(cache, "t", other, "x", load);
  await invalidatePosture(cache, ORG, "triage");
  assert.equal((await cachedPosture(cache, "t", other, "x", load)).hit, true);
});

Deno.test("a read that started before a change cannot hide the change from later reads", async () => {
  const cache = createMemoryCache();
  let data = 1;
  const gate = deferred();
  // Reader A reads the database (data = 1), then stalls before caching it.
  const slow = cachedPosture(cache, "t", ORG, "x", async () => {
    const snapshot = data;
    await gate.promise;
    return snapshot;
  });
  await new Promise((r) => setTimeout(r, 0));
  // The writer commits and then invalidates.
  data = 2;
  await invalidatePosture(cache, ORG, "run_started");
  gate.release();
  assert.equal((await slow).value, 1);
  // A stored its stale value under the superseded version: B sees the change.
  const b = await cachedPosture(cache, "t", ORG, "x", () => Promise.resolve(data));
  assert.deepEqual(b, { value: 2, hit: false });
});

Deno.test("under concurrent readers and writers, no read starting after an invalidation sees older data", async () => {
  const cache = createMemoryCache();
  let data = 0;
  let committed = 0;
  const pause = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
  const violations: string[] = [];
  const reader = async () => {
    await pause();
    const floor = committed; // every change invalidated before this read began
    const { value } = await cachedPosture(cache, "t", ORG, "x", async () => {
      const snapshot = data;
      await pause();
      return snapshot;
    });
    if (value < floor) violations.push(`read ${value} after ${floor} was invalidated`);
  };
  const writer = async () => {
    await pause();
    const next = ++data; // the change commits…
    await pause();
    await invalidatePosture(cache, ORG, "suppression"); // …then the version moves
    committed = Math.max(committed, next);
  };
  const work = Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? writer() : reader()));
  await Promise.all(work);
  assert.deepEqual(violations, []);
  const last = await cachedPosture(cache, "t", ORG, "x", () => Promise.resolve(data));
  assert.equal(last.value, data);
});

Deno.test("a lost version counter starts afresh instead of reviving old entries", async () => {
  const cache = createMemoryCache();
  const first = await postureVersion(cache, ORG);
  await cachedPosture(cache, "t", ORG, "x", () => Promise.resolve("old"));
  await cache.del(`posture:v:${ORG}`); // evicted
  const second = await postureVersion(cache, ORG);
  assert.notEqual(second, first);
  assert.deepEqual(await cachedPosture(cache, "t", ORG, "x", () => Promise.resolve("new")), {
    value: "new",
    hit: false,
  });
});

Deno.test("a cache that fails is bypassed: the value is computed, never an error", async () => {
  const broken: Cache = {
    kind: "redis",
    get: () => Promise.reject(new Error("down")),
    set: () => Promise.reject(new Error("down")),
    del: () => Promise.reject(new Error("down")),
    incr: () => Promise.reject(new Error("down")),
  };
  assert.deepEqual(await cachedPosture(broken, "t", ORG, "x", () => Promise.resolve(7)), {
    value: 7,
    hit: false,
  });
  assert.equal(await invalidatePosture(broken, ORG, "triage"), null);
});
