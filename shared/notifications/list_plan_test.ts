// Plan regression for the notification lists on a seed-scale shape: the
// delivery log and a member's inbox read a page's worth of rows off an index —
// no sequential scan, no sort of the organization's (or member's) history.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { assertOneStatement, pagePlanChecker } from "../../scripts/testing/plan_shape.ts";
import { deliveriesQuerySchema } from "./schemas.ts";
import { listDeliveries, listInbox, UNREAD_CAP } from "./store.ts";

Deno.test("notification lists: deliveries and inbox read by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["notifications"]);
    const { db, check } = await pagePlanChecker(test.db);

    for (const params of [{}, { status: "failed" }] as Record<string, string>[]) {
      await t.step(`delivery log ${JSON.stringify(params)}: first page and the next`, async () => {
        const query = deliveriesQuerySchema.parse({ limit: "20", ...params });
        const label = `deliveries ${JSON.stringify(params)}`;
        const first = await listDeliveries(db, shape.claims, shape.bigOrgId, query);
        assert.equal(first.data.length, 20);
        assertOneStatement(`${label} page 1`, check(`${label} page 1`, 300));
        const second = await listDeliveries(db, shape.claims, shape.bigOrgId, {
          ...query,
          cursor: first.next_cursor!,
        });
        assert.equal(second.data.length, 20);
        assertOneStatement(`${label} page 2`, check(`${label} page 2`, 300));
      });
    }

    await t.step("an inbox of 5,000 notifications: a page and the unread count", async () => {
      for (const unread_only of ["false", "true"] as const) {
        const inbox = await listInbox(db, shape.claims, shape.bigOrgId, {
          limit: 20,
          unread_only,
        });
        assert.equal(inbox.data.length, 20);
        // 1,250 unread: counting stops at the cap (the bell shows "99+").
        assert.equal(inbox.unread, UNREAD_CAP);
        const label = `inbox unread_only=${unread_only}`;
        assertOneStatement(label, check(label, 300));
      }
    });
  } finally {
    await test.close();
  }
});
