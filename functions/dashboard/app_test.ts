// The dashboard API against the hand-built fixture (shared/posture/_fixture.ts).
// Every expected figure is worked out below from the fixture's verdicts:
//
// Latest full runs: prod = r1b, test = r2 (prod's later framework-scoped and
// failed runs are ignored). Weights in tenths: C1 80, C2 20, C3 95, C4 50.
//   prod r1b: C1 PASS, C2 FAIL(2), C3 FAIL(2, one muted → still FAIL), C4 PASS
//     → 130 / 245 → ⌈53.06⌉ = 54; Security Center (C1, C2): 80 / 100 → 80
//   test r2:  C1 FAIL(1), C2 PASS, C3 FAIL(1), C4 NOT_EVALUATED
//     → 20 / 195 → ⌈10.26⌉ = 11; Security Center: 20 / 100 → 20
//   organization: 150 / 440 → ⌈34.09⌉ = 35; Security Center 100 / 200 → 50;
//     hardening (C1, C2) 100 / 200 → 50; behavioural (C3, C4) 50 / 240 → ⌈20.8⌉ = 21
import assert from "node:assert/strict";
import { createPostureFixture, fixtureSql } from "../../shared/posture/_fixture.ts";
import { C1, C2, C3 } from "../../shared/posture/_fixture.ts";
import { dashboardSchema } from "../../shared/posture/mod.ts";
import { createDashboardApp } from "./app.ts";

const fx = await createPostureFixture();
Deno.test.afterAll(() => fx.close());
const app = createDashboardApp(fx.services);

async function get(token: string | null, query: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await app.request(`http://localhost/dashboard?${query}`, { headers });
  const body = await res.json();
  return { status: res.status, body, cache: res.headers.get("x-cache") };
}

Deno.test("the dashboard adds up the latest full run of every instance", async () => {
  const res = await get(fx.viewer.token, `org_id=${fx.orgId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const d = dashboardSchema.parse(res.body.data);
  assert.equal(d.instances_total, 2);
  assert.equal(d.instances_analysed, 2);
  assert.equal(d.overall.score, 35);
  assert.equal(d.overall.weight_total, 44);
  assert.equal(d.overall.weight_passed, 15);
  assert.equal(d.security_center.score, 50);
  assert.equal(d.hardening.score, 50);
  assert.equal(d.behavioural.score, 21);
  const [prod, test] = d.instances;
  assert.equal(prod!.name, "prod");
  assert.equal(prod!.run_id, fx.r1b);
  assert.equal(prod!.overall!.score, 54);
  assert.equal(prod!.security_center!.score, 80);
  assert.equal(test!.run_id, fx.r2);
  assert.equal(test!.overall!.score, 11);
  assert.equal(test!.security_center!.score, 20);
  assert.equal(test!.overall!.not_evaluated, 1);
});

Deno.test("failing findings count unmuted failing resources by severity and area", async () => {
  const d = (await get(fx.owner.token, `org_id=${fx.orgId}`)).body.data;
  // prod: C2 2 + C3 (2 − 1 muted) = 3; test: C1 1 + C3 1 = 2.
  assert.equal(d.instances[0].failing_findings, 3);
  assert.equal(d.instances[1].failing_findings, 2);
  assert.deepEqual(d.findings, {
    total: 5,
    by_severity: { critical: 2, high: 1, low: 2 },
    by_area: { access: 3, identity: 2 },
  });
  // Verdicts after suppressions over both latest runs.
  assert.deepEqual(d.checks, { PASS: 3, FAIL: 4, NOT_EVALUATED: 1 });
});

Deno.test("fix these first: checks ranked by the points they would recover", async () => {
  const d = (await get(fx.owner.token, `org_id=${fx.orgId}`)).body.data;
  // C3 fails on both (190 / 440 → 43.2 points), C1 on test (80 / 440 → 18.2),
  // C2 on prod (20 / 440 → 4.5).
  assert.deepEqual(
    d.top_risks.map((r: Record<string, unknown>) => [
      r.check_id,
      r.recoverable_points,
      r.affected_resources,
      r.instances,
    ]),
    [[C3, 43.2, 2, 2], [C1, 18.2, 1, 1], [C2, 4.5, 2, 1]],
  );
});

Deno.test("changes since the previous run, and run and sync health", async () => {
  const d = (await get(fx.owner.token, `org_id=${fx.orgId}`)).body.data;
  assert.deepEqual(d.instances[0].changes, { new: 1, resolved: 2, reopened: 1 });
  assert.deepEqual(d.instances[1].changes, { new: 2, resolved: 0, reopened: 0 });
  assert.deepEqual(d.changes, { new: 3, resolved: 2, reopened: 1 });
  const health = d.instances[0].health;
  assert.equal(health.last_run_status, "failed");
  assert.equal(health.run_failures_30d, 1);
  assert.equal(health.sync_in_progress, false);
  assert.equal(health.next_sync_at, null);
  assert.ok(d.activity.length > 0);
  assert.ok(
    d.activity.some((a: Record<string, unknown>) =>
      a.kind === "triage" && a.status === "risk_accepted"
    ),
  );
  const times = d.activity.map((a: { at: string }) => a.at);
  assert.deepEqual(times, [...times].sort().reverse());
});

Deno.test("framework readiness counts requirements by status", async () => {
  const d = (await get(fx.owner.token, `org_id=${fx.orgId}&framework=soc2_2017`)).body.data;
  assert.equal(d.frameworks.length, 1);
  const soc2 = d.frameworks[0];
  // C1 fails on test: CC7.3 (C1 only) and CC7.4 (C1 and two checks that did
  // not run, which — as on the Analysis page — are left out) fail; no other
  // SOC 2 check ran. Of the catalog's 61 SOC 2 requirements, 47 need a person
  // (MANUAL) and 2 have no check mapped (NOT_COVERED).
  assert.deepEqual(soc2.requirements, { FAIL: 2, MANUAL: 47, NOT_COVERED: 2, NOT_EVALUATED: 10 });
  assert.equal(soc2.requirements_total, 61);
  // Only C1 and C3 are in SOC 2: 80 / 350 → ⌈22.9⌉ = 23.
  assert.equal(d.overall.score, 23);
  assert.equal(soc2.score, 23);
  // prod alone: C1 passes there, so both pass.
  const prodOnly =
    (await get(fx.owner.token, `org_id=${fx.orgId}&framework=soc2_2017&instance_ids=${fx.i1}`))
      .body.data;
  assert.deepEqual(prodOnly.frameworks[0].requirements, {
    PASS: 2,
    MANUAL: 47,
    NOT_COVERED: 2,
    NOT_EVALUATED: 10,
  });
  assert.equal(prodOnly.overall.score, 46);
});

Deno.test("an instance filter narrows every figure but not the instance total", async () => {
  const d = (await get(fx.owner.token, `org_id=${fx.orgId}&instance_ids=${fx.i2}`)).body.data;
  assert.equal(d.instances_total, 2);
  assert.equal(d.instances.length, 1);
  assert.equal(d.overall.score, 11);
  assert.deepEqual(d.filters, { instance_ids: [fx.i2], framework: null });
});

Deno.test("outsiders get 404, bad filters 400, no token 401 — all with the error shape", async () => {
  const outsider = await get(fx.outsider.token, `org_id=${fx.orgId}`);
  assert.equal(outsider.status, 404);
  assert.equal(outsider.body.error.message, "Organization not found");
  const bad = await get(fx.owner.token, `org_id=${fx.orgId}&instance_ids=nope`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, "validation_failed");
  assert.equal(
    (await get(fx.owner.token, `org_id=${fx.orgId}&framework=DROP%20TABLE`)).status,
    400,
  );
  assert.equal((await get(fx.owner.token, `org_id=${fx.orgId}&extra=1`)).status, 400);
  assert.equal((await get(null, `org_id=${fx.orgId}`)).status, 401);
});

Deno.test("a new organization gets an empty dashboard, not an error", async () => {
  const user = await fx.auth.createUser(fx.tdb.db, { orgName: "Brand New" });
  const d = (await get(user.token, `org_id=${user.orgId}`)).body.data;
  assert.equal(d.instances_total, 0);
  assert.equal(d.overall.score, null);
  assert.deepEqual(d.top_risks, []);
  assert.equal(d.frameworks.length, 7);
});

Deno.test("a warm answer comes from the cache, and a cached answer still checks membership", async () => {
  const sql = fixtureSql(fx);
  await fx.services.cache.incr(`posture:v:${fx.orgId}`);
  const first = await get(fx.owner.token, `org_id=${fx.orgId}`);
  const second = await get(fx.owner.token, `org_id=${fx.orgId}`);
  assert.equal(first.cache, "miss");
  assert.equal(second.cache, "hit");
  assert.deepEqual(second.body, first.body);
  assert.equal((await get(fx.outsider.token, `org_id=${fx.orgId}`)).status, 404);
  // A change the cache is not told about (the run's results and its summary
  // rewritten, as only the engine could) is not seen…
  await sql`update public.analysis_check_results set status = 'PASS', failed = 0
            where run_id = ${fx.r2} and check_id = ${C1}`;
  await sql`select public.record_analysis_run_summary(${fx.r2})`;
  assert.equal((await get(fx.owner.token, `org_id=${fx.orgId}`)).body.data.overall.score, 35);
  // …until the organization's version moves.
  await fx.services.cache.incr(`posture:v:${fx.orgId}`);
  const after = await get(fx.owner.token, `org_id=${fx.orgId}`);
  assert.equal(after.cache, "miss");
  // test now passes C1: 230 / 440 → ⌈52.3⌉ = 53.
  assert.equal(after.body.data.overall.score, 53);
  await sql`update public.analysis_check_results set status = 'FAIL', failed = 1
            where run_id = ${fx.r2} and check_id = ${C1}`;
  await sql`select public.record_analysis_run_summary(${fx.r2})`;
  await fx.services.cache.incr(`posture:v:${fx.orgId}`);
});

Deno.test("a removed member loses the cached dashboard (membership memory bounded by SESSION_CHECK_TTL_MS)", async () => {
  const sql = fixtureSql(fx);
  // TTL 0: the bound is checked without waiting; the default (2 s) is covered
  // in shared/organizations/membership_check_test.ts with a clock.
  const strict = createDashboardApp({
    ...fx.services,
    config: { ...fx.services.config, SESSION_CHECK_TTL_MS: 0 },
  });
  const fetchAs = (token: string) =>
    strict.request(`http://localhost/dashboard?org_id=${fx.orgId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  await (await fetchAs(fx.viewer.token)).arrayBuffer();
  const hit = await fetchAs(fx.viewer.token);
  assert.equal(hit.headers.get("x-cache"), "hit");
  assert.equal(hit.headers.get("content-type"), "application/json");
  assert.equal((await hit.json()).data.overall.score, 35);
  await sql`delete from public.memberships where org_id = ${fx.orgId} and user_id = ${fx.viewer.id}`;
  try {
    const gone = await fetchAs(fx.viewer.token);
    assert.equal(gone.status, 404);
    assert.equal((await gone.json()).error.code, "not_found");
  } finally {
    await sql`insert into public.memberships (org_id, user_id, role)
              values (${fx.orgId}, ${fx.viewer.id}, 'viewer')`;
  }
});

Deno.test("/metrics counts cache hits and misses", async () => {
  // Scraping needs the credential; the counters are process-wide.
  const token = "dashboard-test-scrape-credential";
  const scraped = createDashboardApp({
    ...fx.services,
    config: { ...fx.services.config, METRICS_TOKEN: token },
  });
  const res = await scraped.request("http://localhost/dashboard/metrics", {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /ciq_cache_lookups_total\{cache="dashboard",result="hit"\} [1-9]/);
  assert.match(text, /ciq_cache_lookups_total\{cache="dashboard",result="miss"\} [1-9]/);
});
