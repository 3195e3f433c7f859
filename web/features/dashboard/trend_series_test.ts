import assert from "node:assert/strict";
import { trendSeries } from "./dashboard_sections.tsx";
import type { Trends } from "./posture_api.ts";

const run = (instance_id: string, at: string, overall: number | null) => ({
  run_id: crypto.randomUUID(),
  instance_id,
  at,
  overall,
  security_center: null,
  framework: null,
  area: null,
});

Deno.test("trendSeries() gives each run a point and carries an instance's score between its runs", () => {
  const trends = {
    instances: [{ id: "a", name: "prod" }, { id: "b", name: "test" }, { id: "c", name: "idle" }],
    runs: [
      run("a", "2026-12-01T10:00:00.000Z", 40),
      run("b", "2026-12-01T10:05:00.000Z", 70),
      run("a", "2026-12-01T18:00:00.000Z", 55),
    ],
  } as unknown as Trends;
  const { labels, series } = trendSeries(trends);
  assert.equal(labels.length, 3, "two runs on one day are two points");
  assert.deepEqual(
    series.map((s) => s.label),
    ["prod", "test"],
    "an instance without runs has no line",
  );
  assert.deepEqual(series[0]!.data, [40, 40, 55]);
  assert.ok(Number.isNaN(series[1]!.data[0]!), "no point before the first run");
  assert.deepEqual(series[1]!.data.slice(1), [70, 70]);
});

Deno.test("trendSeries() keeps runs that finished within the same minute apart", () => {
  const trends = {
    instances: [{ id: "a", name: "prod" }, { id: "b", name: "test" }],
    runs: [
      run("a", "2026-12-01T10:00:05.000Z", 40),
      run("b", "2026-12-01T10:00:21.000Z", 70),
      run("a", "2026-12-01T10:00:48.000Z", 55),
    ],
  } as unknown as Trends;
  const { labels, series } = trendSeries(trends);
  assert.equal(labels.length, 3, "three analyses in one minute are three points");
  assert.deepEqual(series[0]!.data, [40, 40, 55]);
});
