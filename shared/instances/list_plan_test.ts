// Plan regression for the instances list and an instance's sync history on a
// seed-scale shape: each statement reads the organization's instances and a
// page of syncs off an index — no sequential scan of a tenant table, no sort
// of an instance's whole sync history.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import {
  assertOneStatement,
  cursorOf,
  pagePlanChecker,
  twoCheckedPages,
} from "../../scripts/testing/plan_shape.ts";
import { listInstances, listSyncRuns } from "./store.ts";

Deno.test("instance lists: instances and syncs read by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["syncs", "jobs"]);
    const checker = await pagePlanChecker(test.db);
    const { db, check } = checker;

    await t.step(
      "the organization's 20 instances, each with its last and active sync, in pages",
      async () => {
        const all = await listInstances(db, shape.claims, shape.bigOrgId, { limit: 100 });
        assert.equal(all.data.length, 20);
        assert.equal(all.next_cursor, null);
        // Two probes of the sync history per instance, one row each.
        assertOneStatement("instances", check("instances", 100));
        const first = await listInstances(db, shape.claims, shape.bigOrgId, { limit: 5 });
        assertOneStatement("instances page 1", check("instances page 1", 12));
        const second = await listInstances(db, shape.claims, shape.bigOrgId, {
          limit: 5,
          cursor: first.next_cursor!,
        });
        assertOneStatement("instances page 2", check("instances page 2", 12));
        assert.deepEqual(
          [...first.data, ...second.data].map((i) => i.id),
          all.data.slice(0, 10).map((i) => i.id),
        );
      },
    );

    await t.step("syncs of an instance with 5,000: first page and the next", async () => {
      const [first, second] = await twoCheckedPages(
        "syncs",
        (cursor) =>
          listSyncRuns(db, shape.claims, shape.bigInstanceId, { limit: 20, ...cursorOf(cursor) }),
        { limit: 20, walkBound: 50, checker },
      );
      assert.ok(second.data[0]!.created_at <= first.data[19]!.created_at);
    });
  } finally {
    await test.close();
  }
});
