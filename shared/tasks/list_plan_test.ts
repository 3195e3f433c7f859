// Plan regression for the jobs list on a seed-scale shape: every filter reads
// a page's worth of jobs off an index — no sequential scan, no sort of the
// organization's whole job history.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { assertOneStatement, pagePlanChecker } from "../../scripts/testing/plan_shape.ts";
import { listJobs, listJobsQuerySchema } from "./jobs.ts";

Deno.test("jobs list: every filter reads a page by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["jobs"]);
    const { db, check } = await pagePlanChecker(test.db);
    for (
      const params of [
        {},
        { status: "failed" },
        { status: "active" },
        { kind: "sync" },
        { kind: "report", subject: "subject-7" },
      ] as Record<string, string>[]
    ) {
      await t.step(`jobs ${JSON.stringify(params)}: first page and the next`, async () => {
        const query = listJobsQuerySchema.parse({ org_id: shape.bigOrgId, limit: "20", ...params });
        const first = await listJobs(db, shape.claims, query);
        const label = `jobs ${JSON.stringify(params)}`;
        assertOneStatement(`${label} page 1`, check(`${label} page 1`, 200));
        if (!first.next_cursor) return;
        const second = await listJobs(db, shape.claims, { ...query, cursor: first.next_cursor });
        assert.ok(second.data.length > 0);
        assertOneStatement(`${label} page 2`, check(`${label} page 2`, 200));
      });
    }
  } finally {
    await test.close();
  }
});
