// The materialised folds (posture_check_rollups, posture_instance_rollups):
// the dashboard read from them must be the dashboard folded from every
// (instance, check) pair — before and after runs finish, summaries are
// rewritten, checks are muted, runs and instances are removed, and when two
// runs of one organization finish at once.
//
// The fold of every pair is what the dashboard computes for an instance
// subset, so `instance_ids` = every instance gives the reference figures.
import assert from "node:assert/strict";
import { workerClaims } from "../db/mod.ts";
import type { Sql } from "../db/mod.ts";
import { C1, C2, C3, C4, createPostureFixture, fixtureSql } from "./_fixture.ts";
import { readDashboard } from "./dashboard.ts";

const fx = await createPostureFixture();
Deno.test.afterAll(() => fx.close());
const sql = fixtureSql(fx);
const FRAMEWORKS = [undefined, "soc2_2017", "pci_dss_4_0"];

/** The dashboard from the materialised rows and from every pair, for each framework filter. */
async function assertSameAsFold(label: string) {
  const instances = await sql<{ id: string }[]>`
    select id from public.instances where org_id = ${fx.orgId} order by id`;
  for (const framework of FRAMEWORKS) {
    const [rolled, folded] = await fx.tdb.db.asTenant(workerClaims(fx.orgId), async (tx) => [
      await readDashboard(tx, { org_id: fx.orgId, framework }),
      await readDashboard(tx, {
        org_id: fx.orgId,
        framework,
        instance_ids: instances.map((i) => i.id),
      }),
    ]);
    const strip = ({ generated_at: _g, filters: _f, ...rest }: typeof rolled) => rest;
    assert.deepEqual(strip(rolled), strip(folded), `${label}, framework ${framework ?? "all"}`);
  }
}

/** The organization's per-check rows: check, verdict before suppressions, instances, failing resources. */
async function checkRows() {
  const rows = await sql<{ check_id: string; effective: string; n: number; affected: number }[]>`
    select check_id, effective, n, affected::int as affected from public.posture_check_rollups
    where org_id = ${fx.orgId}`;
  return rows.map((r) => `${r.check_id} ${r.effective} ${r.n} ${r.affected}`).sort();
}

/** Starts a full run of an instance (committed: runs are created before they finish). */
async function startRun(instanceId: string): Promise<string> {
  const [run] = await sql<{ id: string }[]>`
    insert into public.analysis_runs
      (org_id, instance_id, status, scope, catalog_version, created_at, started_at)
    values (${fx.orgId}, ${instanceId}, 'running', ${sql.json({ type: "all" } as never)},
            'c-000000000000', clock_timestamp(), clock_timestamp())
    returning id`;
  return run!.id;
}

/**
 * Finishes a run in `tx` as the engine does (run marked succeeded, check
 * results, summary), copying the check definitions of `baseRun`.
 */
async function completeRun(
  tx: Sql,
  runId: string,
  baseRun: string,
  verdicts: Record<string, [string, number]>,
): Promise<void> {
  const run = { id: runId };
  await tx`update public.analysis_runs set status = 'succeeded', finished_at = clock_timestamp()
           where id = ${runId}`;
  const rows = Object.entries(verdicts).map(([check_id, [status, failed]]) => ({
    check_id,
    status,
    failed,
  }));
  await tx`
    insert into public.analysis_check_results
      (org_id, run_id, check_id, status, failed, passed, title, area, family, severity,
       severity_rank, risk, sc_risk, frameworks, evidence)
    select cr.org_id, ${run.id}, cr.check_id, v.status, v.failed, 0, cr.title, cr.area,
           cr.family, cr.severity, cr.severity_rank, cr.risk, cr.sc_risk, cr.frameworks, '[]'
    from public.analysis_check_results cr
    join jsonb_to_recordset(${tx.json(rows as never)}) as v(check_id text, status text, failed int)
      on v.check_id = cr.check_id
    where cr.run_id = ${baseRun}`;
  await tx`select public.record_analysis_run_summary(${run.id})`;
}

/** Starts and finishes a run of an instance in one go. */
async function finishRun(
  instanceId: string,
  baseRun: string,
  verdicts: Record<string, [string, number]>,
): Promise<void> {
  const runId = await startRun(instanceId);
  await sql.begin((tx) => completeRun(tx as unknown as Sql, runId, baseRun, verdicts));
}

Deno.test("one row per check and verdict, summed over the latest run of every instance", async () => {
  // prod r1b: C1 PASS, C2 FAIL(2), C3 FAIL(2), C4 PASS; test r2: C1 FAIL(1), C2 PASS,
  // C3 FAIL(1), C4 NOT_EVALUATED. Before suppressions (f3b's mute is overlaid when read).
  assert.deepEqual(
    await checkRows(),
    [
      `${C3} FAIL 2 3`,
      `${C4} NOT_EVALUATED 1 0`,
      `${C4} PASS 1 0`,
      `${C2} FAIL 1 2`,
      `${C2} PASS 1 0`,
      `${C1} FAIL 1 1`,
      `${C1} PASS 1 0`,
    ].sort(),
  );
  await assertSameAsFold("the fixture");
});

Deno.test("a run that finishes moves its instance's share, in the same transaction", async () => {
  await finishRun(fx.i2, fx.r2, {
    [C1]: ["PASS", 0],
    [C2]: ["PASS", 0],
    [C3]: ["FAIL", 4],
    [C4]: ["FAIL", 1],
  });
  const rows = await checkRows();
  assert.ok(rows.includes(`${C1} PASS 2 0`), rows.join(", "));
  assert.ok(!rows.some((r) => r.startsWith(`${C1} FAIL`)), "C1 no longer fails anywhere");
  assert.ok(rows.includes(`${C3} FAIL 2 6`), rows.join(", "));
  await assertSameAsFold("after a run on test");
});

Deno.test({
  name: "two runs of one organization finishing at once both count (no lost update)",
  ignore: fx.tdb.kind !== "server",
  fn: async () => {
    const before = await sql<{ id: string }[]>`
      select id from public.analysis_runs where instance_id = ${fx.i2} and status = 'succeeded'
      order by created_at desc limit 1`;
    const runA = await startRun(fx.i1);
    const runB = await startRun(fx.i2);
    const first = await sql.reserve();
    const second = await sql.reserve();
    try {
      await first`begin`;
      await second`begin`;
      // A lock the test did not foresee fails it instead of hanging.
      await first`set local lock_timeout = '20s'`;
      await second`set local lock_timeout = '20s'`;
      // prod's C2 goes FAIL → PASS while test's goes PASS → FAIL: both move the
      // same two rows (C2 FAIL falls to zero instances and is removed, then comes back).
      await completeRun(first as unknown as Sql, runA, fx.r1b, {
        [C1]: ["PASS", 0],
        [C2]: ["PASS", 0],
        [C3]: ["FAIL", 2],
        [C4]: ["PASS", 0],
      });
      await completeRun(second as unknown as Sql, runB, before[0]!.id, {
        [C1]: ["PASS", 0],
        [C2]: ["FAIL", 5],
        [C3]: ["FAIL", 4],
        [C4]: ["FAIL", 1],
      });
      const [backend] = await second<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const pid = backend!.pid;
      // The first applies its share now (as at commit) and holds its rows…
      await first`set constraints all immediate`;
      // …so the second, applying its own, must wait for them.
      const applied = second`set constraints all immediate`.then(() => "applied");
      let waiting = false;
      for (let i = 0; i < 200 && !waiting; i++) {
        const [row] = await sql<{ wait: string | null }[]>`
          select wait_event_type as wait from pg_stat_activity where pid = ${pid}`;
        waiting = row?.wait === "Lock";
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.ok(waiting, "the second run's completion waited for the first one's rows");
      await first`commit`;
      assert.equal(await applied, "applied");
      await second`commit`;
    } finally {
      await first`rollback`.catch(() => {});
      await second`rollback`.catch(() => {});
      first.release();
      second.release();
    }
    const rows = await checkRows();
    assert.ok(rows.includes(`${C2} PASS 1 0`), rows.join(", "));
    assert.ok(rows.includes(`${C2} FAIL 1 5`), rows.join(", "));
    await assertSameAsFold("after two concurrent runs");
  },
});

Deno.test("a rewritten summary replaces what its run added", async () => {
  const [latest] = await sql<{ id: string }[]>`
    select id from public.analysis_runs where instance_id = ${fx.i2} and status = 'succeeded'
    order by created_at desc limit 1`;
  await sql`update public.analysis_check_results set status = 'NOT_EVALUATED', failed = 0
            where run_id = ${latest!.id} and check_id = ${C3}`;
  await sql`select public.record_analysis_run_summary(${latest!.id})`;
  const rows = await checkRows();
  assert.ok(rows.includes(`${C3} NOT_EVALUATED 1 0`), rows.join(", "));
  await assertSameAsFold("after a rewritten summary");
});

Deno.test("suppressions are overlaid when read: a muted check, then revoked", async () => {
  const [s] = await sql<{ id: string }[]>`
    insert into public.analysis_suppressions (org_id, scope, check_id, reason, owner_id, created_by)
    values (${fx.orgId}, 'check_org', ${C2}, 'Accepted for now', ${fx.owner.id}, ${fx.owner.id})
    returning id`;
  await assertSameAsFold("C2 muted everywhere");
  const [one] = await fx.tdb.db.asTenant(
    workerClaims(fx.orgId),
    async (tx) => [await readDashboard(tx, { org_id: fx.orgId })],
  );
  assert.ok((one!.overall.muted ?? 0) >= 2, "both instances' C2 count as muted");
  await sql`update public.analysis_suppressions set revoked_at = now() where id = ${s!.id}`;
  await assertSameAsFold("C2 unmuted");
});

Deno.test("removing the latest run falls back to the one before it", async () => {
  const runs = await sql<{ id: string }[]>`
    select id from public.analysis_runs where instance_id = ${fx.i1} and status = 'succeeded'
      and scope ->> 'type' = 'all'
    order by created_at desc limit 2`;
  await sql`delete from public.analysis_runs where id = ${runs[0]!.id}`;
  const [state] = await sql<{ run_id: string }[]>`
    select run_id from public.posture_instance_rollups where instance_id = ${fx.i1}`;
  assert.equal(state?.run_id, runs[1]!.id);
  await assertSameAsFold("after removing prod's latest run");
});

Deno.test("removing an instance takes its share out", async () => {
  const before = await checkRows();
  const [added] = await sql<{ id: string }[]>`
    insert into public.instances (org_id, name, url, auth_type, credentials)
    values (${fx.orgId}, 'dev', 'https://dev.service-now.com', 'basic', '{}'::jsonb)
    returning id`;
  await finishRun(added!.id, fx.r2, {
    [C1]: ["FAIL", 7],
    [C2]: ["FAIL", 7],
    [C3]: ["FAIL", 7],
    [C4]: ["FAIL", 7],
  });
  const during = await checkRows();
  assert.ok(during.some((r) => r.startsWith(`${C4} FAIL`)), during.join(", "));
  await assertSameAsFold("with a third instance");
  await sql`delete from public.instances where id = ${added!.id}`;
  assert.deepEqual(await checkRows(), before);
  const [left] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.posture_instance_rollups where instance_id = ${
    added!.id
  }`;
  assert.equal(left?.n, 0);
  await assertSameAsFold("after removing it");
});
