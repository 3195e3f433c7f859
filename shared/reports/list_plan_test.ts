// Plan regression for the report lists on a seed-scale shape: saved reports,
// generated files and deliveries read by index — no sequential scan, no sort
// of the organization's whole history.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import {
  assertOneStatement,
  cursorOf,
  pagePlanChecker,
  twoCheckedPages,
} from "../../scripts/testing/plan_shape.ts";
import {
  listDefinitions,
  listDeliveries,
  listDeliveriesQuerySchema,
  listExports,
  listExportsQuerySchema,
} from "./service.ts";

Deno.test("report lists: definitions, exports and deliveries read by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["reports", "jobs"]);
    const checker = await pagePlanChecker(test.db);
    const { db, check } = checker;

    await t.step("saved reports of an organization with 400: a page and the next", async () => {
      const [first, second] = await twoCheckedPages(
        "definitions",
        (cursor) =>
          listDefinitions(db, shape.claims, shape.bigOrgId, { limit: 50, ...cursorOf(cursor) }),
        { limit: 50, walkBound: 100, checker },
      );
      // The two pages are the first hundred, in the database's own name order.
      const hundred = await listDefinitions(db, shape.claims, shape.bigOrgId, { limit: 100 });
      assert.deepEqual(
        [...first.data, ...second.data].map((d) => d.id),
        hundred.data.map((d) => d.id),
      );
      assertOneStatement("definitions, 100", check("definitions, 100", 150));
    });

    await t.step("exports of an organization with 5,000: first page and the next", async () => {
      const query = listExportsQuerySchema.parse({ org_id: shape.bigOrgId, limit: "20" });
      const first = await listExports(db, shape.claims, query);
      assert.equal(first.data.length, 20);
      assertOneStatement("exports page 1", check("exports page 1", 50));
      const second = await listExports(db, shape.claims, { ...query, cursor: first.next_cursor! });
      assert.equal(second.data.length, 20);
      assertOneStatement("exports page 2", check("exports page 2", 50));
    });

    await t.step("deliveries of an organization with 5,000: first page and the next", async () => {
      const query = listDeliveriesQuerySchema.parse({ org_id: shape.bigOrgId, limit: "20" });
      const first = await listDeliveries(db, shape.claims, query);
      assert.equal(first.data.length, 20);
      assertOneStatement("deliveries page 1", check("deliveries page 1", 50));
      const second = await listDeliveries(db, shape.claims, {
        ...query,
        cursor: first.next_cursor!,
      });
      assert.equal(second.data.length, 20);
      assertOneStatement("deliveries page 2", check("deliveries page 2", 50));
    });
  } finally {
    await test.close();
  }
});
