// The run engine end to end through the real task runner: verdicts, findings
// with deterministic ids, deltas across reruns (new, unchanged, resolved,
// reopened), NOT_EVALUATED with a reason instead of a false PASS, a failing
// statement that does not stop the run, and resumption across deliveries.
import assert from "node:assert/strict";
import { createTestServices } from "../../../scripts/testing/mod.ts";
import { workerClaims } from "../../db/mod.ts";
import { createAnalysisTestbed } from "../_testbed.ts";
import { startRun } from "./runs.ts";
import { catalogVersion } from "./version.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const sql = bed.tdb.db.sql;
const NOW = new Date("2026-06-01T00:00:00Z");

function user(id: string, failed: number, extra: Record<string, string> = {}) {
  return {
    sys_id: id.padEnd(32, "0"),
    user_name: id,
    failed_attempts: String(failed),
    active: "true",
    ...extra,
  };
}

async function addCustomCheck(
  checkId: string,
  query: string,
  options: { severity?: string; risk?: number } = {},
) {
  await sql`
    insert into public.analysis_custom_checks (org_id, check_id, title, severity, risk_score, area, table_name, query,
                                              evidence_fields, frameworks)
    values (${bed.orgId}, ${checkId}, ${`Custom ${checkId}`}, ${options.severity ?? "high"},
            ${options.risk ?? 7.5}, 'identity', 'sys_user', ${query}, ${[
    "user_name",
    "failed_attempts",
  ]},
            ${sql.json([{ framework: "soc2_2017", requirement: "CC6.1" }])})`;
}

async function findingResults(runId: string) {
  return [
    ...await sql<{ resource_key: string; status: string; delta: string | null }[]>`
    select f.resource_key, fr.status, fr.delta from public.analysis_finding_results fr
    join public.analysis_findings f on f.id = fr.finding_id
    where fr.run_id = ${runId} order by f.resource_key`,
  ];
}

async function checkResult(runId: string, checkId: string) {
  const [row] = await sql<
    {
      status: string;
      reason: string | null;
      failed: number;
      evidence: unknown[];
      evidence_truncated: boolean;
    }[]
  >`select status, reason, failed, evidence, evidence_truncated from public.analysis_check_results
    where run_id = ${runId} and check_id = ${checkId}`;
  return row;
}

async function runRow(runId: string) {
  const [row] = await sql`select * from public.analysis_runs where id = ${runId}`;
  return row!;
}

const instanceId = await bed.instance("delta-instance");
await addCustomCheck("custom_brute_force", "failed_attempts>=5");
const scope = { type: "checks" as const, checks: ["custom_brute_force"] };

Deno.test("a run records verdicts, findings with deterministic ids, evidence and scores", async () => {
  await bed.put(instanceId, "sys_user", [user("alice", 6), user("bob", 0), user("carol", 9)]);
  const runId = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  const run = await runRow(runId);
  assert.equal(run.status, "succeeded");
  assert.equal(run.catalog_version, await catalogVersion());
  assert.equal(run.checks_total, 1);
  assert.equal(run.checks_done, 1);
  assert.deepEqual(Object.keys(run.custom_checks), ["custom_brute_force"]);

  const verdict = await checkResult(runId, "custom_brute_force");
  assert.equal(verdict?.status, "FAIL");
  assert.equal(verdict?.failed, 2);
  assert.deepEqual(
    (verdict?.evidence as { resource_key: string; evidence: unknown }[]).map((e) => e.evidence),
    [{ user_name: "alice", failed_attempts: "6" }, { user_name: "carol", failed_attempts: "9" }],
  );
  assert.deepEqual(await findingResults(runId), [
    { resource_key: "alice".padEnd(32, "0"), status: "FAIL", delta: "new" },
    { resource_key: "carol".padEnd(32, "0"), status: "FAIL", delta: "new" },
  ]);

  const [finding] = await sql<{ id: string; expected: string }[]>`
    select id::text, md5(${bed.orgId}::text || '|' || ${instanceId}::text || '|custom_brute_force|' || resource_key)
             as expected
    from public.analysis_findings where resource_key = ${"alice".padEnd(32, "0")}`;
  // The MD5 of org|instance|check|resource, with the version (3) and variant bits of a UUID.
  const hex = finding!.id.replaceAll("-", "");
  assert.equal(
    hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17),
    finding!.expected.slice(0, 12) + finding!.expected.slice(13, 16) + finding!.expected.slice(17),
  );
  assert.equal(hex[12], "3");
  assert.match(hex[16]!, /[89ab]/);

  assert.equal(run.scores.behavioural.score, 0);
  assert.equal(run.scores.behavioural.failed, 1);
  assert.equal(run.scores.frameworks.soc2_2017.failed, 1);
  assert.equal(run.summary.findings.failing, 2);
  assert.deepEqual(run.summary.findings.by_delta, { new: 2 });
  assert.deepEqual(run.summary.findings.by_severity, { high: 2 });
});

Deno.test("reruns after data changes report new, unchanged, resolved and reopened findings", async () => {
  // alice fixed, carol still failing, dave new.
  await bed.put(instanceId, "sys_user", [user("alice", 0), user("dave", 12)]);
  const second = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  assert.deepEqual(await findingResults(second), [
    { resource_key: "alice".padEnd(32, "0"), status: "PASS", delta: "resolved" },
    { resource_key: "carol".padEnd(32, "0"), status: "FAIL", delta: "unchanged" },
    { resource_key: "dave".padEnd(32, "0"), status: "FAIL", delta: "new" },
  ]);
  assert.equal((await runRow(second)).previous_run_id !== null, true);

  // alice fails again; dave deleted on the instance.
  await bed.put(instanceId, "sys_user", [user("alice", 8)]);
  await bed.remove(instanceId, "sys_user", ["dave".padEnd(32, "0")]);
  const third = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  assert.deepEqual(await findingResults(third), [
    { resource_key: "alice".padEnd(32, "0"), status: "FAIL", delta: "reopened" },
    { resource_key: "carol".padEnd(32, "0"), status: "FAIL", delta: "unchanged" },
    { resource_key: "dave".padEnd(32, "0"), status: "PASS", delta: "resolved" },
  ]);
  const findings = await sql<
    {
      resource_key: string;
      status: string;
      reopened_count: number;
      first_seen_run_id: string;
      last_seen_run_id: string;
    }[]
  >`select resource_key, status, reopened_count, first_seen_run_id, last_seen_run_id
    from public.analysis_findings where instance_id = ${instanceId} order by resource_key`;
  const alice = findings.find((f) => f.resource_key.startsWith("alice"))!;
  assert.equal(alice.status, "open");
  assert.equal(alice.reopened_count, 1);
  assert.notEqual(alice.first_seen_run_id, alice.last_seen_run_id);
  assert.equal(alice.last_seen_run_id, third);
  assert.equal(findings.find((f) => f.resource_key.startsWith("dave"))!.status, "resolved");
  const [event] =
    await sql`select kind from public.analysis_finding_events where kind = 'reopened'`;
  assert.equal(event?.kind, "reopened");
});

Deno.test("a finished run leaves the dashboard a summary row that agrees with its results", async () => {
  const runId = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  const [summary] = await sql<
    { checks: number; failing: number; new_results: number; resolved_results: number }[]
  >`
    select cardinality(s.checks) as checks,
           (select count(*)::int from unnest(s.checks) c where c.status = 'FAIL') as failing,
           s.new_results + s.reopened_results as new_results, s.resolved_results
    from public.analysis_run_summaries s where s.run_id = ${runId}`;
  const [results] = await sql<
    { checks: number; failing: number; new_results: number; resolved_results: number }[]
  >`
    select (select count(*)::int from public.analysis_check_results where run_id = ${runId}) as checks,
           (select count(*)::int from public.analysis_check_results
             where run_id = ${runId} and status = 'FAIL') as failing,
           (select count(*)::int from public.analysis_finding_results
             where run_id = ${runId} and delta in ('new', 'reopened')) as new_results,
           (select count(*)::int from public.analysis_finding_results
             where run_id = ${runId} and delta = 'resolved') as resolved_results`;
  assert.ok(summary, "no summary row for the run");
  assert.ok(summary.checks > 0);
  assert.deepEqual(summary, results);
});

Deno.test("a check over a table the integration user could not read is NOT_EVALUATED, never PASS", async () => {
  await bed.setReadable(
    instanceId,
    "sys_user",
    false,
    "HTTP 403: Insufficient rights to query records",
  );
  const runId = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  const verdict = await checkResult(runId, "custom_brute_force");
  assert.equal(verdict?.status, "NOT_EVALUATED");
  assert.equal(
    verdict?.reason,
    "no read access: sys_user was not readable by the integration user (HTTP 403: Insufficient rights to query records)",
  );
  // Open findings are carried, not resolved.
  assert.deepEqual((await findingResults(runId)).map((r) => r.status), [
    "NOT_EVALUATED",
    "NOT_EVALUATED",
  ]);
  const [open] = await sql`select count(*)::int as n from public.analysis_findings
                           where instance_id = ${instanceId} and status = 'open'`;
  assert.equal(open?.n, 2);
  const run = await runRow(runId);
  assert.equal(run.scores.behavioural.score, null);
  assert.equal(run.scores.behavioural.not_evaluated, 1);
  await bed.setReadable(instanceId, "sys_user", true);
});

Deno.test("a statement the database refuses makes its check NOT_EVALUATED and the run goes on", async () => {
  const other = await bed.instance("refused-statement");
  await bed.put(other, "sys_user", [user("erin", 7)]);
  await bed.put(other, "sys_user_has_role", []);
  // Postgres refuses to record a verdict of this check (a constraint the test adds),
  // while a NOT_EVALUATED row for it is accepted.
  await addCustomCheck("custom_refused", "active=true");
  await sql`alter table public.analysis_check_results add constraint test_refuses_verdict
            check (check_id <> 'custom_refused' or status = 'NOT_EVALUATED')`;
  try {
    const runId = await bed.run(other, {
      type: "checks",
      checks: ["custom_refused", "custom_brute_force"],
    }, { evaluatedAt: NOW });
    assert.equal((await runRow(runId)).status, "succeeded");
    const refused = await checkResult(runId, "custom_refused");
    assert.equal(refused?.status, "NOT_EVALUATED");
    assert.match(refused!.reason!, /the database refused its statement \(SQLSTATE 23514\)/);
    assert.equal((await checkResult(runId, "custom_brute_force"))?.status, "FAIL");
  } finally {
    await sql`alter table public.analysis_check_results drop constraint test_refuses_verdict`;
  }
});

Deno.test("a count Postgres cannot hold is refused before any statement runs", async () => {
  const other = await bed.instance("overflowing-count");
  await bed.put(other, "sys_user", [user("frank", 7)]);
  await bed.put(other, "sys_user_has_role", []);
  // 10^20 related records would overflow bigint inside Postgres.
  await addCustomCheck(
    "custom_overflowing",
    "RLQUERYsys_user_has_role.user,>=100000000000000000000^ENDRLQUERY",
  );
  const runId = await bed.run(other, {
    type: "checks",
    checks: ["custom_overflowing", "custom_brute_force"],
  }, { evaluatedAt: NOW });
  assert.equal((await runRow(runId)).status, "succeeded");
  const refused = await checkResult(runId, "custom_overflowing");
  assert.equal(refused?.status, "NOT_EVALUATED");
  assert.match(refused!.reason!, /RLQUERY count 100000000000000000000 is too large/);
  assert.equal((await checkResult(runId, "custom_brute_force"))?.status, "FAIL");
});

Deno.test("a run continued over many deliveries records each check exactly once", async () => {
  const target = await bed.instance("many-deliveries");
  await bed.loadSimulated(target, { users: 60, plant: true, now: NOW });
  // A zero time budget makes every delivery stop after one step.
  const services = createTestServices(bed.tdb.db, bed.auth, { TASKS_TIME_BUDGET_MS: "0" });
  const { run } = await startRun(services, bed.claims, {
    instance_id: target,
    scope: { type: "all" },
  }, {
    evaluatedAt: NOW,
  });
  const report = await services.tasks.drain({ maxDeliveries: 5000 });
  assert.ok(report.delivered > 10, `only ${report.delivered} deliveries`);
  const single = await bed.run(await sameData(target), { type: "all" }, { evaluatedAt: NOW });
  const compare = await sql<{ a: number; b: number; fa: number; fb: number }[]>`
    select (select count(*)::int from public.analysis_check_results where run_id = ${run.id}) as a,
           (select count(*)::int from public.analysis_check_results where run_id = ${single}) as b,
           (select count(*)::int from public.analysis_finding_results where run_id = ${run.id}) as fa,
           (select count(*)::int from public.analysis_finding_results where run_id = ${single}) as fb`;
  assert.equal(compare[0]!.a, compare[0]!.b);
  assert.equal(compare[0]!.fa, compare[0]!.fb);
  assert.ok(compare[0]!.fa > 0);
  const [counts] =
    await sql`select checks_total, checks_done, status from public.analysis_runs where id = ${run.id}`;
  assert.equal(counts?.status, "succeeded");
  assert.equal(counts?.checks_done, counts?.checks_total);
});

Deno.test("a run resumed from a lost position skips the checks it already recorded", async () => {
  const target = await bed.instance("rewound");
  await bed.loadSimulated(target, { users: 60, plant: true, now: NOW, seed: 11 });
  const services = createTestServices(bed.tdb.db, bed.auth, { TASKS_TIME_BUDGET_MS: "0" });
  const { run, job } = await startRun(services, bed.claims, {
    instance_id: target,
    scope: { type: "all" },
  }, {
    evaluatedAt: NOW,
  });
  // A few deliveries, then the saved position is lost (as if the process died
  // after committing statements but before saving where it was).
  await services.tasks.drain({ maxDeliveries: 4 }).catch(() => {});
  const [before] =
    await sql`select count(*)::int as n from public.analysis_check_results where run_id = ${run.id}`;
  assert.ok(before!.n > 0, "some checks were recorded before the rewind");
  await sql`update public.jobs set cursor = '{"unit": 0}'::jsonb where id = ${job.id}`;
  await services.tasks.drain({ maxDeliveries: 5000 });
  const single = await bed.run(await sameData(target), { type: "all" }, { evaluatedAt: NOW });
  const [counts] = await sql<{ a: number; b: number; fa: number; fb: number; reopened: number }[]>`
    select (select count(*)::int from public.analysis_check_results where run_id = ${run.id}) as a,
           (select count(*)::int from public.analysis_check_results where run_id = ${single}) as b,
           (select count(*)::int from public.analysis_finding_results where run_id = ${run.id}) as fa,
           (select count(*)::int from public.analysis_finding_results where run_id = ${single}) as fb,
           (select coalesce(sum(reopened_count), 0)::int from public.analysis_findings
             where instance_id = ${target}) as reopened`;
  assert.deepEqual(
    { checks: counts!.a, results: counts!.fa, reopened: counts!.reopened },
    { checks: counts!.b, results: counts!.fb, reopened: 0 },
  );
  const [state] =
    await sql`select status, checks_done, checks_total from public.analysis_runs where id = ${run.id}`;
  assert.equal(state?.status, "succeeded");
  assert.equal(state?.checks_done, state?.checks_total);
});

/** A second instance with the same synced data as `source`. */
async function sameData(source: string): Promise<string> {
  const copy = await bed.instance("copy-" + source.slice(0, 8));
  await sql`
    insert into public.snow_records (org_id, instance_id, table_name, sys_id, sys_updated_on, data)
    select org_id, ${copy}, table_name, sys_id, sys_updated_on, data from public.snow_records
    where instance_id = ${source}`;
  await sql`
    insert into public.instance_tables (org_id, instance_id, table_name, readable, last_error)
    select org_id, ${copy}, table_name, readable, last_error from public.instance_tables
    where instance_id = ${source}`;
  return copy;
}

Deno.test("a duplicate delivery of a finished run changes nothing", async () => {
  const runId = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  const before = await findingResults(runId);
  await bed.tdb.db.asTenant(workerClaims(bed.orgId), async (tx) => {
    const [job] = await tx`select job_id from public.analysis_runs where id = ${runId}`;
    assert.ok(job?.job_id);
  });
  const { analysisRunTask } = await import("./task.ts");
  await bed.services.tasks.enqueue(analysisRunTask, { runId }, { orgId: bed.orgId });
  await bed.services.tasks.drain();
  assert.deepEqual(await findingResults(runId), before);
});

Deno.test("a second run while one is active, or during a sync, is refused with 409", async () => {
  const target = await bed.instance("busy");
  await bed.put(target, "sys_user", [user("frank", 1)]);
  const first = await startRun(bed.services, bed.claims, { instance_id: target, scope }, {
    evaluatedAt: NOW,
  });
  await assert.rejects(
    startRun(bed.services, bed.claims, { instance_id: target, scope }),
    (error: { status?: number; code?: string }) =>
      error.status === 409 && error.code === "analysis_already_running",
  );
  await bed.services.tasks.drain();
  assert.equal((await runRow(first.run.id)).status, "succeeded");
  await sql`insert into public.sync_runs (org_id, instance_id, mode, status) values (${bed.orgId}, ${target}, 'full', 'running')`;
  await assert.rejects(
    startRun(bed.services, bed.claims, { instance_id: target, scope }),
    (error: { status?: number; code?: string }) =>
      error.status === 409 && error.code === "sync_in_progress",
  );
});

// Last: a full run opens findings the tests above do not expect.
Deno.test("a finished full run is folded into the dashboard's materialised rows as it commits", async () => {
  const runId = await bed.run(instanceId, { type: "all" }, { evaluatedAt: NOW });
  const [state] = await sql<{ run_id: string; org_id: string; checks: number }[]>`
    select s.run_id, s.org_id,
           (select coalesce(sum(g.n), 0)::int from unnest(s.groups) g where g.framework = '')
             as checks
    from public.posture_instance_rollups s where s.instance_id = ${instanceId}`;
  const [results] = await sql<{ checks: number }[]>`
    select count(*)::int as checks from public.analysis_check_results where run_id = ${runId}`;
  assert.equal(state?.run_id, runId);
  assert.ok(results!.checks > 0);
  assert.equal(state.checks, results!.checks);
  // The organization's per-check rows count every instance's folded checks once.
  const [org] = await sql<{ folded: number; pairs: number }[]>`
    select (select coalesce(sum(n), 0)::int from public.posture_check_rollups
             where org_id = ${state.org_id}) as folded,
           (select coalesce(sum(cardinality(checks)), 0)::int from public.posture_instance_rollups
             where org_id = ${state.org_id}) as pairs`;
  assert.equal(org?.folded, org?.pairs);
});
