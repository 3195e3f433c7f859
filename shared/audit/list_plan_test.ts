// Plan regression for the audit trail list on a seed-scale shape: every filter
// reads a page's worth of entries off an index, newest first — no sequential
// scan (of the trail or of profiles), no sort of the organization's history.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { assertOneStatement, pagePlanChecker } from "../../scripts/testing/plan_shape.ts";
import { auditListQuerySchema } from "./schemas.ts";
import { listAuditEntries } from "./store.ts";

Deno.test("audit list: every filter reads a page by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["audit"]);
    const { db, check } = await pagePlanChecker(test.db);
    for (
      const params of [
        {},
        { category: "security" },
        { action: "member." },
        { target_table: "memberships" },
      ] as Record<string, string>[]
    ) {
      await t.step(`entries ${JSON.stringify(params)}: first page and the next`, async () => {
        const query = auditListQuerySchema.parse({
          org_id: shape.bigOrgId,
          limit: "50",
          ...params,
        });
        const first = await listAuditEntries(db, shape.claims, query);
        assert.equal(first.data.length, 50);
        const label = `audit ${JSON.stringify(params)}`;
        assertOneStatement(`${label} page 1`, check(`${label} page 1`, 500));
        const second = await listAuditEntries(db, shape.claims, {
          ...query,
          cursor: first.next_cursor!,
        });
        assert.ok(second.data[0]!.seq < first.data[49]!.seq);
        assertOneStatement(`${label} page 2`, check(`${label} page 2`, 500));
      });
    }

    await t.step("the actor's email per entry, and the actor filter by email", async () => {
      const query = auditListQuerySchema.parse({
        org_id: shape.bigOrgId,
        limit: "50",
        actor: "USER3@example.test",
      });
      const page = await listAuditEntries(db, shape.claims, query);
      assert.equal(page.data.length, 50);
      assert.ok(page.data.every((e) => e.actor_email === "user3@example.test"));
      assertOneStatement("audit actor", check("audit actor", 1_000));
    });
  } finally {
    await test.close();
  }
});
