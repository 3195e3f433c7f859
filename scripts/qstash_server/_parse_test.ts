import assert from "node:assert/strict";
import { evaluateRetryDelay, parseCron, parseDuration } from "./_parse.ts";

Deno.test("parseDuration() reads QStash durations and refuses anything else", () => {
  assert.equal(parseDuration("10s"), 10_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("2d"), 172_800_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("42"), 42_000);
  assert.equal(parseDuration("soon"), null);
  assert.equal(parseDuration("-5s"), null);
});

Deno.test("evaluateRetryDelay() computes the documented examples", () => {
  assert.equal(evaluateRetryDelay("1000", 3), 1000);
  assert.deepEqual([0, 1, 2, 3].map((n) => evaluateRetryDelay("1000 * (1 + retried)", n)), [
    1000,
    2000,
    3000,
    4000,
  ]);
  assert.deepEqual([0, 1, 2].map((n) => evaluateRetryDelay("pow(2, retried) * 1000", n)), [
    1000,
    2000,
    4000,
  ]);
  assert.equal(evaluateRetryDelay("max(1000, pow(2, retried) * 100)", 2), 1000);
  assert.equal(evaluateRetryDelay("min(sqrt(16) * 250, abs(-5000))", 0), 1000);
  assert.equal(evaluateRetryDelay("floor(exp(1) * 1000) + ceil(0.2) + round(0.4)", 0), 2719);
});

Deno.test("evaluateRetryDelay() rejects unknown names and malformed expressions", () => {
  assert.throws(() => evaluateRetryDelay("Deno.exit(1)", 0), /unknown name|unexpected/);
  assert.throws(() => evaluateRetryDelay("fetch(1)", 0), /unknown name "fetch"/);
  assert.throws(() => evaluateRetryDelay("(1 + 2", 0), /expected "\)"/);
  assert.throws(() => evaluateRetryDelay("1 +", 0), /unexpected end/);
  assert.throws(() => evaluateRetryDelay("1 / 0", 0), /finite/);
});

Deno.test("parseCron() takes five fields and an optional CRON_TZ prefix", () => {
  const from = new Date("2026-01-01T00:02:00Z");
  assert.equal(parseCron("*/5 * * * *").nextAfter(from)?.toISOString(), "2026-01-01T00:05:00.000Z");
  assert.equal(
    parseCron("CRON_TZ=Europe/Paris 0 9 * * *").nextAfter(from)?.toISOString(),
    "2026-01-01T08:00:00.000Z",
  );
  assert.throws(() => parseCron("* * * *"), /five-field/);
  assert.throws(() => parseCron("0 * * * * *"), /five-field/);
  assert.throws(() => parseCron("CRON_TZ=Mars/Olympus 0 9 * * *"), /unknown time zone/);
  assert.throws(() => parseCron("61 * * * *"));
});
