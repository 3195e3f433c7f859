// Plan regression for the widgets list on a seed-scale shape: the
// organization's widgets and their current versions are read by index — no
// sequential scan of widgets or versions, nothing of other organizations.
import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { pagePlanChecker } from "../../scripts/testing/plan_shape.ts";
import { listWidgets } from "./store.ts";

Deno.test("widgets list: the organization's widgets by index on a seed-scale shape", async () => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["org_settings"]);
    const { db, check } = await pagePlanChecker(test.db);
    const widgets = await listWidgets(db, shape.claims, shape.bigOrgId);
    assert.equal(widgets.length, shape.bigRows);
    // Unpaged: every widget of the organization with its versions, nothing more.
    check("widgets", 2 * shape.bigRows);
  } finally {
    await test.close();
  }
});
