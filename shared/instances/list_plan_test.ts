// Plan regression for the instances list and an instance's sync history on a
// seed-scale shape: each statement reads the organization's instances and a
// page of syncs off an index — no sequential scan of a tenant table, no sort
// of an instance's whole sync history.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { pagePlanChecker } from "../../scripts/testing/plan_shape.ts";
import { listInstances, listSyncRuns } from "./store.ts";

Deno.test("instance lists: instances and syncs read by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["syncs", "jobs"]);
    const { db, check } = await pagePlanChecker(test.db);

    await t.step(
      "the organization's 20 instances, each with its last and active sync, in pages",
      async () => {
        const all = await db.asTenant(
          shape.claims,
          (tx) => listInstances(tx, shape.bigOrgId, { limit: 100 }),
        );
        assert.equal(all.data.length, 20);
        assert.equal(all.next_cursor, null);
        // Two probes of the sync history per instance, one row each.
        check("instances", 100);
        const first = await db.asTenant(
          shape.claims,
          (tx) => listInstances(tx, shape.bigOrgId, { limit: 5 }),
        );
        check("instances page 1", 12);
        const second = await db.asTenant(
          shape.claims,
          (tx) => listInstances(tx, shape.bigOrgId, { limit: 5, cursor: first.next_cursor! }),
        );
        check("instances page 2", 12);
        assert.deepEqual(
          [...first.data, ...second.data].map((i) => i.id),
          all.data.slice(0, 10).map((i) => i.id),
        );
      },
    );

    await t.step("syncs of an instance with 5,000: first page and the next", async () => {
      const first = await db.asTenant(
        shape.claims,
        (tx) => listSyncRuns(tx, shape.bigInstanceId, { limit: 20 }),
      );
      assert.equal(first.data.length, 20);
      check("syncs page 1", 50);
      const second = await db.asTenant(
        shape.claims,
        (tx) => listSyncRuns(tx, shape.bigInstanceId, { limit: 20, cursor: first.next_cursor! }),
      );
      assert.equal(second.data.length, 20);
      assert.ok(second.data[0]!.created_at <= first.data[19]!.created_at);
      check("syncs page 2", 50);
    });
  } finally {
    await test.close();
  }
});
