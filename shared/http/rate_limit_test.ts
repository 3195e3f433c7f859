// The request limit of every function app: budgets keyed on verified principals
// or the connection's address, shared between app instances (processes), in
// this process and over real Redis through the Upstash REST stand-in.
import assert from "node:assert/strict";
import { type Cache, createMemoryCache, createRedisCache } from "../cache/mod.ts";
import { redisFromConfig } from "../cache/mod.ts";
import type { Database } from "../db/mod.ts";
import { loadConfig } from "../env/mod.ts";
import { createLogger } from "../log/mod.ts";
import type { TaskClient } from "../tasks/mod.ts";
import { createTestAuth, type TestAuth } from "../../scripts/testing/auth.ts";
import { redisUnavailableReason, startRedisStandIn } from "../../scripts/redis_server/mod.ts";
import { z } from "zod";
import { createFunctionApp, type FunctionApp } from "./app.ts";
import { HttpError } from "./errors.ts";
import { createRouteGroup } from "./route.ts";
import { createMemoryRateLimiter } from "./rate_limiter.ts";

const LIMIT = 3;
const auth: TestAuth = await createTestAuth();
const unavailable = await redisUnavailableReason();
// deno-lint-ignore no-console
if (unavailable) console.warn(unavailable);

/** A function app as production builds it, with one user route and a fake delivery route. */
function buildApp(cache: Cache, env: Record<string, string> = {}): FunctionApp {
  const config = loadConfig({ RATE_LIMIT_PER_MINUTE: String(LIMIT), ...env });
  const app = createFunctionApp("demo", {
    config,
    // Neither is reached by these routes.
    db: {} as Database,
    tasks: {} as TaskClient,
    log: createLogger({ level: "silent" }),
    auth: auth.verifier,
    cache,
  }, {
    // Stands for QStash's signature check: the gate sets the worker principal only once verified.
    worker: (c) => {
      if (c.req.header("upstash-signature") !== "valid-for-this-test") {
        return Promise.reject(new HttpError(401, "no", { code: "invalid_signature" }));
      }
      return Promise.resolve({ messageId: "msg" });
    },
  });
  const routes = createRouteGroup()
    .on({
      method: "get",
      path: "/me",
      summary: "Who am I",
      auth: "user",
      responses: { 200: { description: "The user", schema: z.object({ id: z.string() }) } },
    }, (c) => c.json({ id: c.get("userId") }))
    .on({
      method: "post",
      path: "/qstash",
      summary: "A fake delivery route",
      auth: "worker",
      responses: { 200: { description: "Done", schema: z.object({ ok: z.boolean() }) } },
    }, (c) => c.json({ ok: true }));
  app.route("/", routes.app);
  return app;
}

const call = async (
  app: FunctionApp,
  path: string,
  init: RequestInit & { from?: string } = {},
) =>
  await app.fetch(new Request(`http://localhost/demo${path}`, init), {
    remoteAddr: { hostname: init.from ?? "203.0.113.7", port: 40000, transport: "tcp" },
  });

const statuses = async (n: number, send: () => Response | Promise<Response>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await send();
    await res.body?.cancel();
    out.push(res.status);
  }
  return out;
};

/**
 * On Redis, budgets are fixed one-minute windows aligned to the clock
 * (@upstash/ratelimit's): a test that straddled a window's end would see its
 * counts reset. Start each test with at least 20 s of the window left.
 */
async function freshWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Runs `fn` with two caches that share counts as two processes would. */
type Backend = (fn: (a: Cache, b: Cache) => Promise<void>) => Promise<void>;

const inProcess: Backend = async (fn) => {
  const cache = createMemoryCache();
  await fn(cache, cache);
};
const overRedis: Backend = async (fn) => {
  const standIn = await startRedisStandIn();
  try {
    const config = loadConfig({
      UPSTASH_REDIS_REST_URL: standIn.url,
      UPSTASH_REDIS_REST_TOKEN: standIn.token,
    });
    await fn(
      createRedisCache(redisFromConfig(config)!),
      createRedisCache(redisFromConfig(config)!),
    );
  } finally {
    await standIn.stop();
  }
};

for (const [label, backend] of [["in-process", inProcess], ["Redis", overRedis]] as const) {
  const test = (name: string, fn: (a: Cache, b: Cache) => Promise<void>) =>
    Deno.test({
      name: `rate limit (${label}): ${name}`,
      ignore: label === "Redis" && unavailable !== null,
      fn: async () => {
        if (label === "Redis") await freshWindow();
        await backend(fn);
      },
    });

  test(
    "two app instances share one user's budget; 429 has Retry-After and the error shape",
    async (a, b) => {
      const [one, two] = [buildApp(a), buildApp(b)];
      const user = await auth.mint(crypto.randomUUID());
      const headers = { authorization: `Bearer ${user}` };
      assert.deepEqual(await statuses(2, () => call(one, "/me", { headers })), [200, 200]);
      assert.deepEqual(await statuses(1, () => call(two, "/me", { headers })), [200]);
      const refused = await call(two, "/me", { headers });
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      const body = await refused.json();
      assert.equal(body.error.code, "rate_limited");
      assert.match(body.error.message, /Too many requests/);
      assert.deepEqual(body.error.details, { limit: LIMIT, retry_after: retryAfter });
      // Another user, from the same address, has a budget of their own.
      const other = { authorization: `Bearer ${await auth.mint(crypto.randomUUID())}` };
      assert.equal((await call(one, "/me", { headers: other })).status, 200);
    },
  );

  test("junk tokens share the anonymous budget of their address", async (a, b) => {
    const [one, two] = [buildApp(a), buildApp(b)];
    const junk = () => ({ authorization: `Bearer junk.${crypto.randomUUID()}.token` });
    const seen = await statuses(4, () => call(one, "/me", { headers: junk() }));
    assert.deepEqual(seen, [401, 401, 401, 429]);
    // The same address without any token is just as spent, on the other instance too.
    assert.equal((await call(two, "/health")).status, 429);
    // Another address is not.
    assert.equal((await call(two, "/health", { from: "198.51.100.9" })).status, 200);
  });

  test("a forged Upstash-Signature does not skip the limit; a verified delivery does", async (a) => {
    const app = buildApp(a);
    const forged = { method: "POST", headers: { "upstash-signature": "forged" } };
    assert.deepEqual(await statuses(4, () => call(app, "/qstash", forged)), [401, 401, 401, 429]);
    assert.equal((await call(app, "/me", { headers: { "upstash-signature": "x" } })).status, 429);
    const genuine = { method: "POST", headers: { "upstash-signature": "valid-for-this-test" } };
    const fromQStash = { ...genuine, from: "192.0.2.50" };
    assert.deepEqual(
      await statuses(5, () => call(app, "/qstash", fromQStash)),
      [200, 200, 200, 200, 200],
    );
    // A signed-in user adding the header gains nothing.
    const user = await auth.mint(crypto.randomUUID());
    const headers = { authorization: `Bearer ${user}`, "upstash-signature": "forged" };
    assert.deepEqual(
      await statuses(4, () => call(app, "/me", { headers, from: "192.0.2.51" })),
      [200, 200, 200, 429],
    );
  });

  test("X-Forwarded-For counts only when the peer is a trusted proxy", async (a) => {
    const app = buildApp(a, { TRUSTED_PROXIES: "10.0.0.0/8" });
    // From an untrusted peer, a made-up forwarded address changes nothing.
    const spoofed = (i: number) => ({ headers: { "x-forwarded-for": `192.0.2.${i}` } });
    let i = 0;
    assert.deepEqual(
      await statuses(4, () => call(app, "/health", spoofed(i++))),
      [200, 200, 200, 429],
    );
    // Behind the trusted proxy, each forwarded client has its own budget.
    const viaProxy = (client: string) => ({
      from: "10.1.2.3",
      headers: { "x-forwarded-for": `evil-made-up, ${client}` },
    });
    assert.deepEqual(
      await statuses(4, () => call(app, "/health", viaProxy("198.51.100.1"))),
      [200, 200, 200, 429],
    );
    assert.equal((await call(app, "/health", viaProxy("198.51.100.2"))).status, 200);
  });
}

Deno.test("createMemoryRateLimiter() counts per key and policy in windows from the first request", async () => {
  let now = 60_000 * 10 + 15_000;
  const limiter = createMemoryRateLimiter(() => now);
  const policy = { name: "p", limit: 2, windowSeconds: 60 };
  assert.equal((await limiter.peek("k", policy)).allowed, true);
  assert.deepEqual(await limiter.consume("k", policy), {
    allowed: true,
    limit: 2,
    remaining: 1,
    retryAfterSeconds: 60,
  });
  await limiter.consume("k", policy);
  assert.equal((await limiter.peek("k", policy)).allowed, false);
  assert.equal((await limiter.consume("k", policy)).allowed, false);
  assert.equal((await limiter.consume("k", { ...policy, name: "q" })).allowed, true);
  assert.equal((await limiter.consume("other", policy)).allowed, true);
  now += 59_000;
  assert.equal((await limiter.consume("k", policy)).allowed, false);
  now += 1_000;
  assert.equal((await limiter.consume("k", policy)).allowed, true);
});

Deno.test("a limit of 0 turns limiting off", async () => {
  const app = buildApp(createMemoryCache(), { RATE_LIMIT_PER_MINUTE: "0" });
  assert.deepEqual(await statuses(5, () => call(app, "/health")), [200, 200, 200, 200, 200]);
});
