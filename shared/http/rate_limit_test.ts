import assert from "node:assert/strict";
import { Hono } from "hono";
import { HttpError } from "./errors.ts";
import { rateLimit } from "./rate_limit.ts";

function app(limit: number, clock: { t: number }) {
  const a = new Hono();
  a.use(rateLimit({ limit, windowMs: 60_000, now: () => clock.t }));
  a.get("/", (c) => c.text("ok"));
  a.onError((error, c) =>
    error instanceof HttpError
      ? c.json(error.toBody(), error.status, error.headers)
      : c.text("boom", 500)
  );
  return a;
}

Deno.test("rateLimit() answers 429 with Retry-After once a caller exceeds the limit", async () => {
  const clock = { t: 0 };
  const a = app(2, clock);
  const headers = { authorization: "Bearer one" };
  assert.equal((await a.request("/", { headers })).status, 200);
  assert.equal((await a.request("/", { headers })).status, 200);
  const refused = await a.request("/", { headers });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "60");
  const body = await refused.json();
  assert.equal(body.error.code, "rate_limited");
});

Deno.test("rateLimit() counts callers separately and opens a new window", async () => {
  const clock = { t: 0 };
  const a = app(1, clock);
  assert.equal((await a.request("/", { headers: { authorization: "Bearer a" } })).status, 200);
  assert.equal((await a.request("/", { headers: { authorization: "Bearer b" } })).status, 200);
  assert.equal((await a.request("/", { headers: { authorization: "Bearer a" } })).status, 429);
  clock.t += 60_000;
  assert.equal((await a.request("/", { headers: { authorization: "Bearer a" } })).status, 200);
});

Deno.test("rateLimit() with a limit of 0 never refuses", async () => {
  const a = app(0, { t: 0 });
  for (let i = 0; i < 5; i++) assert.equal((await a.request("/")).status, 200);
});
