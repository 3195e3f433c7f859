// The insights API against the hand-built fixture (shared/posture/_fixture.ts):
// trends, run-to-run and instance-to-instance comparison, recommendations.
import assert from "node:assert/strict";
import { C1, C2, C3, C4, createPostureFixture } from "../../shared/posture/_fixture.ts";
import {
  instanceComparisonSchema,
  recommendationsSchema,
  runComparisonSchema,
  trendsSchema,
} from "../../shared/posture/mod.ts";
import { createInsightsApp } from "./app.ts";

const fx = await createPostureFixture();
Deno.test.afterAll(() => fx.close());
const app = createInsightsApp(fx.services);
const DAY = 86_400_000;

async function get(token: string | null, path: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await app.request(`http://localhost/insights${path}`, { headers });
  return { status: res.status, body: await res.json() };
}

/** Monday 00:00 UTC of the week of `t`, as Postgres' date_trunc('week') gives it. */
function weekOf(t: number): string {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day))
    .toISOString();
}

Deno.test("trends: the score of every successful full run, oldest first", async () => {
  const res = await get(
    fx.viewer.token,
    `/trends?org_id=${fx.orgId}&framework=soc2_2017&area=access`,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const t = trendsSchema.parse(res.body.data);
  // r1a (20 days ago, 30), r1b (6, 54), r2 (3, 11); the framework-scoped and
  // the failed run are not points. The fixture stores framework = overall − 1, area 40.
  assert.deepEqual(
    t.runs.map((p) => [p.run_id, p.overall, p.framework, p.area]),
    [[fx.r1a, 30, 29, 40], [fx.r1b, 54, 53, 40], [fx.r2, 11, 10, 40]],
  );
  assert.deepEqual(t.instances.map((i) => i.name), ["prod", "test"]);
});

Deno.test("trends: findings opened and resolved per week, muted and risk accepted at week end", async () => {
  const t = (await get(fx.owner.token, `/trends?org_id=${fx.orgId}&days=30`)).body.data;
  const now = Date.now();
  const weeks = new Map<string, { opened: number; resolved: number }>();
  const add = (daysAgo: number, opened: number, resolved: number) => {
    const w = weekOf(now - daysAgo * DAY);
    const e = weeks.get(w) ?? { opened: 0, resolved: 0 };
    weeks.set(w, { opened: e.opened + opened, resolved: e.resolved + resolved });
  };
  add(20, 4, 0); // r1a: four new
  add(6, 2, 2); // r1b: one new, one reopened; two resolved
  add(3, 2, 0); // r2: two new
  for (const w of t.weekly) {
    const expected = weeks.get(w.week) ?? { opened: 0, resolved: 0 };
    assert.deepEqual({ opened: w.opened, resolved: w.resolved }, expected, w.week);
  }
  const sum = (k: "opened" | "resolved") =>
    t.weekly.reduce((a: number, w: Record<string, number>) => a + w[k]!, 0);
  assert.equal(sum("opened"), 8);
  assert.equal(sum("resolved"), 2);
  // Now: f3b's and f1's suppressions are in force (the expired and the revoked
  // ones are not); f5 was risk accepted 2 days ago.
  const last = t.weekly.at(-1);
  assert.equal(last.muted, 2);
  assert.equal(last.risk_accepted, 1);
  const first = t.weekly[0];
  assert.equal(first.risk_accepted, 0);
});

Deno.test("trends: mean time to remediate by severity", async () => {
  const t = (await get(fx.owner.token, `/trends?org_id=${fx.orgId}`)).body.data;
  // f1 (C1, high) and f3c (C3, critical): first seen 20 days ago, resolved 6 days ago.
  assert.deepEqual(t.mttr_days, {
    high: { mean: 14, resolved: 1 },
    critical: { mean: 14, resolved: 1 },
  });
});

Deno.test("compare two runs: verdict changes, findings new and resolved, score deltas explained", async () => {
  const res = await get(fx.viewer.token, `/compare/runs?base=${fx.r1a}&target=${fx.r1b}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const c = runComparisonSchema.parse(res.body.data);
  // Suppressions in force now apply to both runs: f1 (C1's only failure in
  // r1a) is muted, so C1 passes in both and only C2 changed.
  assert.deepEqual(c.checks_changed.map((x) => [x.check_id, x.from, x.to]), [[C2, "PASS", "FAIL"]]);
  // r1a: C1, C2, C4 pass → 150 / 245 → ⌈61.2⌉ = 62; r1b: 54.
  const overall = c.scores.overall!;
  assert.deepEqual([overall.from, overall.to, overall.delta], [62, 54, -8]);
  assert.deepEqual(overall.movers.map((m) => m.check_id), [C2]);
  assert.equal(c.findings.new_count, 2);
  assert.equal(c.findings.resolved_count, 2);
  assert.deepEqual(c.findings.new.map((f) => f.resource_key).sort(), ["f2a", "f2b"]);
  assert.deepEqual(c.findings.resolved.map((f) => f.resource_key).sort(), ["f1", "f3c"]);
});

Deno.test("compare two runs: refuses runs of two instances, foreign runs are 404", async () => {
  const res = await get(fx.owner.token, `/compare/runs?base=${fx.r1a}&target=${fx.r2}`);
  assert.equal(res.status, 422);
  assert.equal(res.body.error.code, "different_instances");
  assert.equal(
    (await get(fx.outsider.token, `/compare/runs?base=${fx.r1a}&target=${fx.r1b}`)).status,
    404,
  );
  assert.equal((await get(fx.owner.token, `/compare/runs?base=${fx.r1a}`)).status, 400);
});

Deno.test("compare two instances: settings and verdicts side by side", async () => {
  const res = await get(fx.owner.token, `/compare/instances?a=${fx.i1}&b=${fx.i2}&show=all`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const c = instanceComparisonSchema.parse(res.body.data);
  assert.equal(c.compared, 4);
  // C1 PASS/FAIL, C2 FAIL (value "false")/PASS, C4 PASS/NOT_EVALUATED differ; C3 fails on both.
  assert.equal(c.differing, 3);
  assert.deepEqual(c.scores, {
    a: { overall: 54, security_center: 80 },
    b: { overall: 11, security_center: 20 },
  });
  const row = (id: string) => c.rows.find((r) => r.check_id === id)!;
  assert.deepEqual(row(C2).a, { verdict: "FAIL", failed: 2, value: "false" });
  assert.deepEqual(row(C2).b, { verdict: "PASS", failed: 0, value: null });
  assert.equal(row(C3).differs, false);
  assert.deepEqual(row(C4).b, { verdict: "NOT_EVALUATED", failed: 0, value: null });
  const diff = (await get(fx.owner.token, `/compare/instances?a=${fx.i1}&b=${fx.i2}`)).body.data;
  assert.deepEqual(
    diff.rows.map((r: { check_id: string }) => r.check_id).sort(),
    [C1, C2, C4].sort(),
  );
  assert.equal(
    (await get(fx.outsider.token, `/compare/instances?a=${fx.i1}&b=${fx.i2}`)).status,
    404,
  );
});

Deno.test("recommendations: quick wins, failing everywhere, suppressions expiring soon", async () => {
  const res = await get(fx.viewer.token, `/recommendations?org_id=${fx.orgId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const r = recommendationsSchema.parse(res.body.data);
  // Risk ≥ 7 and ≤ 5 resources: C3 (9.5, 2 resources) and C1 (8.0, 1); C2 is low risk.
  assert.deepEqual(r.quick_wins.map((q) => q.check_id), [C3, C1]);
  // Only C3 fails on both instances.
  assert.deepEqual(r.failing_everywhere.map((q) => q.check_id), [C3]);
  // f1's suppression ends in 5 days; f3b's in a year, one expired, one revoked.
  assert.deepEqual(r.expiring_suppressions.map((s) => s.finding_id), [fx.f.f1]);
  const longer =
    (await get(fx.viewer.token, `/recommendations?org_id=${fx.orgId}&expiring_days=365`))
      .body.data;
  assert.equal(longer.expiring_suppressions.length, 2);
  assert.equal((await get(fx.outsider.token, `/recommendations?org_id=${fx.orgId}`)).status, 404);
  assert.equal(
    (await get(fx.owner.token, `/recommendations?org_id=${fx.orgId}&expiring_days=0`)).status,
    400,
  );
});
