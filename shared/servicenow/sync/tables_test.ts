import assert from "node:assert/strict";
import { DEFAULT_SYNC_TABLES, syncPlanFromFields, windowStart } from "./tables.ts";

Deno.test("windowStart() starts a window at 00:00:00 UTC of the day that many days before", () => {
  assert.equal(windowStart(90, new Date("2026-06-01T13:45:10Z")), "2026-03-03 00:00:00");
  assert.equal(windowStart(1, new Date("2026-01-01T00:00:00Z")), "2025-12-31 00:00:00");
  // Every sync of one day reads the same window.
  assert.equal(
    windowStart(30, new Date("2026-06-01T00:00:01Z")),
    windowStart(30, new Date("2026-06-01T23:59:59Z")),
  );
});

Deno.test("syncPlanFromFields() windows the append-only log tables and requests sys_created_on", async (t) => {
  const required = {
    sys_audit: ["tablename", "fieldname"],
    syslog_transaction: ["type", "sys_created_by"],
    sys_user: ["user_name"],
  };
  const records = {
    sys_audit: { field: "tablename", values: ["sys_properties", "sys_user_role"] },
  };

  await t.step("with windows", () => {
    const plan = syncPlanFromFields(required, records, { windows: { log: 90, audit: 400 } });
    const byTable = new Map(plan.map((p) => [p.table, p]));
    assert.deepEqual(byTable.get("syslog_transaction")!.window, { days: 90 });
    assert.ok(byTable.get("syslog_transaction")!.fields.includes("sys_created_on"));
    assert.deepEqual(byTable.get("sys_audit")!.window, { days: 400 });
    assert.equal(byTable.get("sys_audit")!.filter, "tablenameINsys_properties,sys_user_role");
    assert.equal(byTable.get("sys_user")!.window, undefined, "not a log table");
    assert.deepEqual(byTable.get("sys_user")!.fields, ["sys_id", "sys_updated_on", "user_name"]);
  });
  await t.step("0 or no windows read every record", () => {
    for (
      const plan of [
        syncPlanFromFields(required, records, { windows: { log: 0, audit: 0 } }),
        syncPlanFromFields(required, records),
      ]
    ) {
      assert.ok(plan.every((p) => p.window === undefined));
      assert.deepEqual(plan.find((p) => p.table === "syslog_transaction")!.fields, [
        "sys_id",
        "sys_updated_on",
        "type",
        "sys_created_by",
      ]);
    }
  });
});

Deno.test("the default plan keeps 400 days of audit history for the traced tables", () => {
  const audit = DEFAULT_SYNC_TABLES.find((t) => t.table === "sys_audit")!;
  assert.deepEqual(audit.window, { days: 400 });
  assert.match(audit.filter!, /^tablenameIN[a-z_,]+$/, "the window is not in the filter");
});
