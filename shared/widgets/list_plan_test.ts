// Plan regression for the widgets list on a seed-scale shape: a page of the
// organization's widgets and their current versions is read by index — no
// sequential scan of widgets or versions, no sort of all the organization's widgets.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { pagePlanChecker } from "../../scripts/testing/plan_shape.ts";
import { listWidgets } from "./store.ts";

Deno.test("widgets list: a page of the organization's widgets by index on a seed-scale shape", async () => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["org_settings"]);
    const { db, check } = await pagePlanChecker(test.db);
    // A page and the next of an organization with 5,000: the page's widgets and
    // their current versions, never a sort of all the organization's widgets.
    const first = await listWidgets(db, shape.claims, shape.bigOrgId, { limit: 50 });
    assert.equal(first.data.length, 50);
    check("widgets page 1", 100);
    const second = await listWidgets(db, shape.claims, shape.bigOrgId, {
      limit: 50,
      cursor: first.next_cursor!,
    });
    assert.equal(second.data.length, 50);
    assert.ok(second.data[0]!.created_at <= first.data[49]!.created_at);
    assert.ok(!first.data.some((w) => w.id === second.data[0]!.id));
    check("widgets page 2", 100);
  } finally {
    await test.close();
  }
});
