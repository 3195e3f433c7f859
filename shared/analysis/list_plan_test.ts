// Plan regression for the analysis lists other than findings (runs of an
// instance, suppressions) on a seed-scale shape: each statement the list runs,
// as the API runs it, reads a page's worth of rows off an index — no
// sequential scan of a tenant table, no sort of the whole set.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import {
  assertOneStatement,
  cursorOf,
  pagePlanChecker,
  twoCheckedPages,
} from "../../scripts/testing/plan_shape.ts";
import { listRuns } from "./engine/runs.ts";
import { listSuppressions, listSuppressionsQuerySchema } from "./findings/suppressions.ts";

Deno.test("analysis lists: runs and suppressions read a page by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["runs", "suppressions"]);
    const checker = await pagePlanChecker(test.db);
    const { db, check } = checker;

    await t.step("runs of an instance with 5,000 runs: first page and the next", async () => {
      const [first, second] = await twoCheckedPages(
        "runs",
        (cursor) =>
          listRuns(db, shape.claims, shape.bigInstanceId, { limit: 20, ...cursorOf(cursor) }),
        { limit: 20, walkBound: 50, checker },
      );
      assert.ok(second.data[0]!.created_at <= first.data[19]!.created_at);
    });

    await t.step(
      "suppressions of an organization with 5,000: in force, by instance, all",
      async () => {
        for (
          const params of [
            {},
            { instance_id: shape.bigInstanceId },
            { active: "all" },
            { check_id: "chk_007" },
          ] as Record<string, string>[]
        ) {
          const rows = await listSuppressions(
            db,
            shape.claims,
            listSuppressionsQuerySchema.parse({ org_id: shape.bigOrgId, ...params }),
          );
          assert.ok(rows.length > 0);
          const label = `suppressions ${JSON.stringify(params)}`;
          assertOneStatement(label, check(label, 2_000));
        }
      },
    );
  } finally {
    await test.close();
  }
});
