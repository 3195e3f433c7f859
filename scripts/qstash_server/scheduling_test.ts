// Cron schedules fire at the right times, driven by a clock the test controls.
import assert from "node:assert/strict";
import { Client } from "@upstash/qstash";
import { createTestDatabase } from "../testing/mod.ts";
import { createQStashServer } from "./mod.ts";
import { startDestination } from "./_test_helpers.ts";

const tdb = await createTestDatabase();
let now = Date.parse("2026-03-02T00:02:00Z");
const qstash = await createQStashServer({ sql: tdb.db.sql, clock: () => now, retryDelayScale: 0 });
const api = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, qstash.fetch);
const destination = startDestination();
Deno.test.afterAll(async () => {
  await api.shutdown();
  await destination.close();
  await tdb.close();
});
const client = new Client({
  baseUrl: `http://127.0.0.1:${api.addr.port}`,
  token: qstash.token,
  devMode: false,
  enableTelemetry: false,
  retry: false,
});
const at = (iso: string) => (now = Date.parse(iso));
const firings = (path: string) => destination.received.filter((r) => r.path === path);

Deno.test("a */5 schedule fires at every fifth minute, once, and not before", async (t) => {
  at("2026-03-02T00:02:00Z");
  await client.schedules.create({
    destination: `${destination.url}/every-5`,
    cron: "*/5 * * * *",
    scheduleId: "every-5",
    body: JSON.stringify({ tick: true }),
    headers: { "Content-Type": "application/json" },
  });
  assert.equal(
    (await client.schedules.get("every-5")).nextScheduleTime,
    Date.parse("2026-03-02T00:05:00Z"),
  );

  await t.step("nothing at 00:04:59", async () => {
    at("2026-03-02T00:04:59Z");
    await qstash.processDue();
    assert.equal(firings("/every-5").length, 0);
  });
  await t.step("one delivery at 00:05:00, with the schedule's id", async () => {
    at("2026-03-02T00:05:00Z");
    await qstash.processDue();
    assert.equal(firings("/every-5").length, 1);
    const delivery = firings("/every-5")[0]!;
    assert.equal(delivery.headers.get("upstash-schedule-id"), "every-5");
    assert.deepEqual(JSON.parse(delivery.body), { tick: true });
    const schedule = await client.schedules.get("every-5");
    assert.equal(schedule.lastScheduleTime, Date.parse("2026-03-02T00:05:00Z"));
    assert.equal(schedule.nextScheduleTime, Date.parse("2026-03-02T00:10:00Z"));
  });
  await t.step("nothing more until 00:10:00", async () => {
    at("2026-03-02T00:09:59Z");
    await qstash.processDue();
    assert.equal(firings("/every-5").length, 1);
    at("2026-03-02T00:10:00Z");
    await qstash.processDue();
    assert.equal(firings("/every-5").length, 2);
  });
  await t.step("firings missed while down collapse into one", async () => {
    at("2026-03-02T00:31:00Z");
    await qstash.processDue();
    assert.equal(firings("/every-5").length, 3);
    assert.equal(
      (await client.schedules.get("every-5")).nextScheduleTime,
      Date.parse("2026-03-02T00:35:00Z"),
    );
  });
  await t.step("a paused schedule does not fire, and resumes at its next time", async () => {
    await client.schedules.pause({ schedule: "every-5" });
    at("2026-03-02T00:36:00Z");
    await qstash.processDue();
    assert.equal(firings("/every-5").length, 3);
    await client.schedules.resume({ schedule: "every-5" });
    assert.equal(
      (await client.schedules.get("every-5")).nextScheduleTime,
      Date.parse("2026-03-02T00:40:00Z"),
    );
    await client.schedules.delete("every-5");
  });
});

Deno.test("a CRON_TZ schedule fires at the local time of its zone", async () => {
  at("2026-03-02T00:02:00Z");
  await client.schedules.create({
    destination: `${destination.url}/nine-in-new-york`,
    cron: "CRON_TZ=America/New_York 0 9 * * *",
    scheduleId: "nine-ny",
  });
  // 09:00 in New York is 14:00 UTC in winter (EST).
  assert.equal(
    (await client.schedules.get("nine-ny")).nextScheduleTime,
    Date.parse("2026-03-02T14:00:00Z"),
  );
  at("2026-03-02T13:59:59Z");
  await qstash.processDue();
  assert.equal(firings("/nine-in-new-york").length, 0);
  at("2026-03-02T14:00:00Z");
  await qstash.processDue();
  assert.equal(firings("/nine-in-new-york").length, 1);
  // After the switch to daylight saving time (8 March 2026) it is 13:00 UTC.
  at("2026-03-09T12:00:00Z");
  await qstash.processDue();
  assert.equal(
    (await client.schedules.get("nine-ny")).nextScheduleTime,
    Date.parse("2026-03-09T13:00:00Z"),
  );
  await client.schedules.delete("nine-ny");
});
