// Plan regression for the findings-by-check view on a seed-scale shape (a run
// with 100,000 finding results): without a per-finding filter the counts come
// from the check results (kept by a trigger), not from counting the run; with
// one, at most GROUP_ROWS_CAP + 1 finding results are read.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../../scripts/testing/mod.ts";
import { buildPlanShape, pagePlanChecker } from "../../../scripts/testing/plan_shape.ts";
import { findingGroupsQuerySchema, GROUP_ROWS_CAP, listFindingGroups } from "./findings.ts";

Deno.test("findings groups: counts of a 100,000-finding run without counting it", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildPlanShape(test.url);
    const { db, check } = await pagePlanChecker(test.db);
    const groups = (params: Record<string, string>) =>
      listFindingGroups(db, shape.claims, findingGroupsQuerySchema.parse(params));

    await t.step("unfiltered and by check: read off the run's check results", async () => {
      const all = await groups({ run_id: shape.bigRunId });
      assert.equal(all.total, shape.bigRunFindings);
      assert.equal(all.capped, false);
      assert.equal(all.data.length, 400);
      // The mutes in force are counted per check; the mute probes read only muted rows.
      assert.ok(all.data.some((g) => g.muted > 0 && g.muted < g.count));
      check("groups", 5_000);
      const critical = await groups({ run_id: shape.bigRunId, severity: "critical" });
      assert.ok(critical.data.every((g) => g.severity === "critical"));
      check("groups severity", 5_000);
    });

    await t.step("a per-finding filter reads at most the cap, and says so", async () => {
      const failing = await groups({ run_id: shape.bigRunId, status: "FAIL" });
      assert.equal(failing.capped, true);
      assert.equal(failing.total, GROUP_ROWS_CAP);
      check("groups status", 2 * GROUP_ROWS_CAP);
    });

    await t.step("kept counts match counting the findings one by one", async () => {
      const [small] = await test.db.sql<{ id: string }[]>`
        select i.id::text from public.instances i join public.organizations o on o.id = i.org_id
        where o.slug = 'org-2' order by i.name limit 1`;
      const kept = await groups({ instance_id: small!.id });
      const counted = await groups({
        instance_id: small!.id,
        delta: "new,unchanged,resolved,reopened",
      });
      assert.ok(kept.total > 0);
      assert.deepEqual(kept, counted);
    });
  } finally {
    await test.close();
  }
});
