// Runs every evaluator of the catalog (each behavioural statement and the one
// hardening statement) on an empty instance and on an instance holding a little
// of everything, so no SQL in the catalog is broken and every row is well formed.
import assert from "node:assert/strict";
import { createTestbed, sid, type TestInstance } from "./_testbed.ts";
import { CHECKS, requiredFields } from "./catalog.ts";
import { planEvaluation } from "./evaluate.ts";

const bed = await createTestbed();
Deno.test.afterAll(() => bed.close());

const ALL_TABLES = Object.keys(requiredFields(CHECKS));

/** One record per table with every declared field set to a plausible string. */
function sampleRecord(table: string, fields: readonly string[], n: number): Record<string, string> {
  const record: Record<string, string> = { sys_id: sid(`${table}-${n}`) };
  for (const field of fields) {
    if (field === "sys_id") continue;
    if (
      /active|inherited|advanced|locked_out|_only|integration_user|needs_reset|authn|client_callable|required|breached|unauthorized|schedule|requires_/
        .test(field)
    ) {
      record[field] = n % 2 === 0 ? "true" : "false";
    } else if (/_on$|_time$|date|expires|_at$|work_start|work_end/.test(field)) {
      record[field] = n % 2 === 0 ? "2025-01-01 00:00:00" : "2026-07-01 12:00:00";
    } else if (/count|lifespan|attempts|priority|state|risk/.test(field)) {
      record[field] = String(n * 3);
    } else if (
      /^(user|role|group|approver|assigned_to|requested_by|opened_by|task|caused_by|sysapproval|document_id|change_request|sys_security_acl|sys_user_role|documentkey)$/
        .test(field)
    ) {
      record[field] = sid(`ref-${field}-${n % 3}`);
    } else if (field === "script") {
      record[field] = n % 2 === 0
        ? "var x = eval(input); var gr = new GlideRecord('incident'); var password = 'hunter22';"
        : "";
    } else {
      record[field] = `${field}-${n}`;
    }
  }
  return record;
}

async function fill(instance: TestInstance): Promise<void> {
  for (const [table, fields] of Object.entries(requiredFields(CHECKS))) {
    await instance.add(table, [0, 1, 2].map((n) => sampleRecord(table, fields, n)));
  }
  await instance.add("sys_properties", [
    { name: "glide.ui.session_timeout", value: "30" },
    { name: "glide.ui.audit_deleted_tables", value: "sys_user" },
    { name: "glide.enforce_security_scope.x_app", value: "false" },
  ]);
  await instance.add("v_plugin", [{ id: "com.glide.high_security", active: "active" }]);
}

function assertWellFormed(
  rows: Map<string, readonly { status: string; resource_key: string; table_name: string }[]>,
) {
  for (const [checkId, list] of rows) {
    const check = CHECKS.find((c) => c.id === checkId);
    assert.ok(check, `rows for unknown check ${checkId}`);
    for (const row of list) {
      assert.ok(row.resource_key !== "", `${checkId}: empty resource_key`);
      assert.match(row.table_name, /^[a-z0-9_]+$/, `${checkId}: bad table_name`);
      if (check.evaluator.kind === "sql" && check.evaluator.returns === "failures") {
        assert.equal(
          row.status,
          "FAIL",
          `${checkId}: a failures-only evaluator returned ${row.status}`,
        );
      }
    }
    const keys = list.map((r) => `${r.table_name}:${r.resource_key}`);
    assert.equal(
      new Set(keys).size,
      keys.length,
      `${checkId}: the same resource was returned twice`,
    );
  }
}

/** Checks that fail on an instance without records, by design (a missing record is not a pass). */
const FAIL_WHEN_EMPTY = ["audit_inserts_disabled"];

Deno.test("every evaluator runs on an empty instance and reports no failure of record checks", async () => {
  const instance = await bed.instance();
  await instance.touch(ALL_TABLES);
  const rows = await instance.evaluate(CHECKS);
  assert.equal(rows.size, planEvaluation(CHECKS).reduce((n, s) => n + s.checkIds.length, 0));
  assertWellFormed(rows);
  for (const check of CHECKS) {
    if (check.evaluator.kind === "sql" && check.evaluator.returns === "failures") {
      const failed = (rows.get(check.id) ?? []).length > 0;
      assert.equal(failed, FAIL_WHEN_EMPTY.includes(check.id), `${check.id} on an empty instance`);
    }
  }
});

Deno.test("every evaluator runs on an instance with data in every table and returns well-formed rows", async () => {
  const instance = await bed.instance();
  await fill(instance);
  const rows = await instance.evaluate(CHECKS);
  assertWellFormed(rows);
  const failing = [...rows.values()].flat().filter((r) => r.status === "FAIL").length;
  assert.ok(failing > 50, `expected many failures on noisy data, got ${failing}`);
});
