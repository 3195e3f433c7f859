// Plan regression for the widgets list on a seed-scale shape: a page of the
// organization's widgets and their current versions is read by index — no
// sequential scan of widgets or versions, no sort of all the organization's widgets.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { cursorOf, pagePlanChecker, twoCheckedPages } from "../../scripts/testing/plan_shape.ts";
import { listWidgets } from "./store.ts";

Deno.test("widgets list: a page of the organization's widgets by index on a seed-scale shape", async () => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["org_settings"]);
    const checker = await pagePlanChecker(test.db);
    // A page and the next of an organization with 5,000: the page's widgets and
    // their current versions, never a sort of all the organization's widgets.
    const [first, second] = await twoCheckedPages(
      "widgets",
      (cursor) =>
        listWidgets(checker.db, shape.claims, shape.bigOrgId, { limit: 50, ...cursorOf(cursor) }),
      { limit: 50, walkBound: 100, checker },
    );
    assert.ok(second.data[0]!.created_at <= first.data[49]!.created_at);
  } finally {
    await test.close();
  }
});
