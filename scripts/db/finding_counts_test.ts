// The finding-counts backfill on real analysis runs: check results written
// before the count existed (findings null) are grouped from their finding
// results until the backfill counts them, then from the kept counts; the
// backfill is exact, re-runnable, and leaves the trigger counting later rows.
import assert from "node:assert/strict";
import { createAnalysisTestbed } from "../../shared/analysis/_testbed.ts";
import {
  findingGroupsQuerySchema,
  listFindingGroups,
} from "../../shared/analysis/findings/findings.ts";
import { waitFor } from "../testing/mod.ts";
import { backfillFindingCounts, type BackfillProgress } from "./finding_counts.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const sql = bed.tdb.db.sql;
const NOW = new Date("2026-06-01T00:00:00Z");

const instanceId = await bed.instance("backfill");
await bed.loadSimulated(instanceId, { users: 40, plant: true, now: NOW });
const runs = [await bed.run(instanceId), await bed.run(instanceId)];

const groups = (runId: string, filters: Record<string, string> = {}) =>
  listFindingGroups(
    bed.tdb.db,
    bed.claims,
    findingGroupsQuerySchema.parse({ run_id: runId, ...filters }),
  );
/** Every finding result counted one by one (a per-finding filter that matches all). */
const countedGroups = (runId: string) => groups(runId, { status: "FAIL,PASS,NOT_EVALUATED" });

/** Check results whose kept count is null or differs from counting their finding results. */
async function wrongCounts(runIds: string[]) {
  return [
    ...await sql`
    select cr.run_id, cr.check_id, cr.findings,
           (select count(*)::int from public.analysis_finding_results fr
            where fr.run_id = cr.run_id and fr.check_id = cr.check_id) as counted
    from public.analysis_check_results cr
    where cr.run_id = any(${runIds}::uuid[])
      and cr.findings is distinct from (select count(*)::int from public.analysis_finding_results fr
                                        where fr.run_id = cr.run_id and fr.check_id = cr.check_id)`,
  ];
}

/** Adds failing findings to a run after it was recorded (new finding results). */
async function addFindings(runId: string, checkId: string, n: number) {
  await sql`
    with f as (
      insert into public.analysis_findings (id, org_id, instance_id, check_id, resource_key, table_name)
      select gen_random_uuid(), ${bed.orgId}, ${instanceId}, ${checkId}, 'late-' || gen_random_uuid(),
             'sys_user'
      from generate_series(1, ${n})
      returning id, check_id)
    insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
    select ${bed.orgId}, ${runId}, f.id, f.check_id, 'FAIL', 'new' from f`;
}

Deno.test("check results written before the counts existed: grouped, backfilled, kept", async (t) => {
  const before = await Promise.all(runs.map((id) => groups(id)));
  const highBefore = await groups(runs[0]!, { severity: "high" });
  const [counts] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.analysis_check_results`;
  const checkResults = counts!.n;

  await t.step("counted runs group the same from the kept counts and one by one", async () => {
    for (const [i, id] of runs.entries()) {
      assert.ok(before[i]!.total > 0);
      assert.deepEqual(before[i], await countedGroups(id));
    }
    assert.deepEqual(await wrongCounts(runs), []);
  });

  await t.step("uncounted (null) results: the groups count the finding results", async () => {
    await sql`update public.analysis_check_results set findings = null`;
    for (const [i, id] of runs.entries()) assert.deepEqual(await groups(id), before[i]);
    assert.deepEqual(await groups(runs[0]!, { severity: "high" }), highBefore);
  });

  await t.step("the backfill counts every result, batch by batch, and once only", async () => {
    const seen: BackfillProgress[] = [];
    const total = await backfillFindingCounts(sql, {
      batchRuns: 1,
      onProgress: (p) => seen.push(p),
    });
    assert.equal(total.runs, 2);
    assert.equal(total.checkResults, checkResults);
    assert.deepEqual(seen.map((p) => p.runs), [1, 2]);
    assert.equal(seen.at(-1)!.checkResults, checkResults);
    assert.deepEqual(await wrongCounts(runs), []);
    for (const [i, id] of runs.entries()) assert.deepEqual(await groups(id), before[i]);

    const again = await backfillFindingCounts(sql);
    assert.equal(again.runs, 2);
    assert.equal(again.checkResults, 0);
  });

  await t.step("after the backfill the groups read the kept counts", async () => {
    const top = before[0]!.data[0]!;
    await sql`update public.analysis_check_results set findings = findings + 1000
              where run_id = ${runs[0]!} and check_id = ${top.check_id}`;
    try {
      const read = await groups(runs[0]!);
      assert.equal(read.data.find((g) => g.check_id === top.check_id)?.count, top.count + 1000);
      assert.equal(read.total, before[0]!.total + 1000);
    } finally {
      await sql`update public.analysis_check_results set findings = findings - 1000
                where run_id = ${runs[0]!} and check_id = ${top.check_id}`;
    }
  });

  await t.step(
    "finding results written after the backfill are counted by the trigger",
    async () => {
      const failing = before[0]!.data[0]!.check_id;
      const [passing] = await sql<{ check_id: string }[]>`
      select check_id from public.analysis_check_results
      where run_id = ${runs[0]!} and findings = 0 order by check_id limit 1`;
      await addFindings(runs[0]!, failing, 2);
      await addFindings(runs[0]!, passing!.check_id, 1);
      assert.deepEqual(await wrongCounts(runs), []);
      const after = await groups(runs[0]!);
      assert.equal(after.total, before[0]!.total + 3);
      assert.ok(after.data.some((g) => g.check_id === passing!.check_id && g.count === 1));
      assert.deepEqual(after, await countedGroups(runs[0]!));
    },
  );
});

Deno.test({
  name: "a writer still open when the backfill reaches its run is counted exactly once",
  // One PGlite connection cannot hold two transactions open at once.
  ignore: bed.tdb.kind === "pglite",
  fn: async () => {
    const runId = runs[1]!;
    const [first] = await sql<{ check_id: string }[]>`
      select check_id from public.analysis_check_results where run_id = ${runId}
      order by check_id limit 1`;
    const checkId = first!.check_id;
    await sql`update public.analysis_check_results set findings = null where run_id = ${runId}`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => release = resolve);
    let inserted!: () => void;
    const wrote = new Promise<void>((resolve) => inserted = resolve);
    // Its rows are written (the trigger adds nothing to a null count) but not
    // committed when the backfill takes the run.
    const writer = sql.begin(async (tx) => {
      await tx`
        with f as (
          insert into public.analysis_findings (id, org_id, instance_id, check_id, resource_key, table_name)
          values (gen_random_uuid(), ${bed.orgId}, ${instanceId}, ${checkId}, 'in-flight', 'sys_user')
          returning id)
        insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
        select ${bed.orgId}, ${runId}, f.id, ${checkId}, 'FAIL', 'new' from f`;
      inserted();
      await gate;
    });
    await wrote;
    let finished = false;
    const backfill = backfillFindingCounts(sql).finally(() => finished = true);
    // It waits for the writer's commit (or, were it not to, finishes without its row).
    await waitFor("the backfill to wait for the open writer, or finish", async () => {
      if (finished) return true;
      const [row] = await sql`
        select 1 from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`;
      return row !== undefined;
    });
    release();
    await writer;
    const total = await backfill;
    assert.ok(total.checkResults > 0);
    assert.deepEqual(await wrongCounts(runs), []);
  },
});
