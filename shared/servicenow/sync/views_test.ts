// The typed views over snow_records: one per table of DEFAULT_TABLE_FIELDS, every
// field a column, ServiceNow's strings cast, and the caller's RLS applied.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../../scripts/testing/mod.ts";
import { workerClaims } from "../../db/mod.ts";
import { DEFAULT_TABLE_FIELDS } from "./tables.ts";
import { upsertRecords } from "./writer.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());

Deno.test("every typed view exists with a column per field, cast to its kind", async () => {
  const columns = await tdb.db.sql<{ view: string; column: string; type: string }[]>`
    select c.table_name as view, c.column_name as column, c.data_type as type
    from information_schema.columns c
    where c.table_schema = 'public' and c.table_name like 'snow\\_%' and c.table_name <> 'snow_records'`;
  const byView = new Map<string, Map<string, string>>();
  for (const c of columns) {
    byView.set(c.view, (byView.get(c.view) ?? new Map()).set(c.column, c.type));
  }
  const expected = { s: "text", b: "boolean", i: "bigint", dt: "timestamp with time zone" };
  for (const [table, fields] of Object.entries(DEFAULT_TABLE_FIELDS)) {
    const view = byView.get(`snow_${table}`);
    assert.ok(view, `snow_${table} is missing`);
    for (const [field, kind] of Object.entries(fields)) {
      assert.equal(view.get(field), expected[kind], `snow_${table}.${field}`);
    }
    for (const system of ["org_id", "instance_id", "sys_id", "sys_updated_on", "sys_created_on"]) {
      assert.ok(view.has(system), `snow_${table}.${system}`);
    }
  }
});

Deno.test("snow_sys_user casts ServiceNow's strings and shows only the caller's organization", async () => {
  const owners = [
    await auth.createUser(tdb.db, { orgName: "Views A" }),
    await auth.createUser(tdb.db, { orgName: "Views B" }),
  ];
  for (const [i, owner] of owners.entries()) {
    const instanceId = crypto.randomUUID();
    await tdb.db.sql`
      insert into public.instances (id, org_id, name, url, auth_type, credentials)
      values (${instanceId}, ${owner.orgId}, 'v', 'https://v.service-now.com', 'basic', '{}')`;
    await tdb.db.asTenant(
      workerClaims(owner.orgId!),
      (tx) =>
        upsertRecords(tx, { orgId: owner.orgId!, instanceId, table: "sys_user" }, [{
          sys_id: `${i}`.padStart(32, "a"),
          user_name: `user${i}`,
          active: "true",
          locked_out: "false",
          failed_attempts: "7",
          last_login_time: "2026-05-01 10:20:30",
          last_login: "2026-05-01",
          vip: "",
          sys_updated_on: "2026-05-02 00:00:00",
        }]),
    );
  }
  const rows = await tdb.db.asTenant(
    { sub: owners[0]!.id, role: "authenticated" },
    (tx) =>
      tx`select user_name, active, locked_out, failed_attempts, last_login_time, last_login, vip,
                sys_updated_on
         from public.snow_sys_user`,
  );
  assert.equal(rows.length, 1, "only organization A's record");
  const row = rows[0]!;
  assert.equal(row.user_name, "user0");
  assert.equal(row.active, true);
  assert.equal(row.locked_out, false);
  assert.equal(Number(row.failed_attempts), 7);
  assert.equal((row.last_login_time as Date).toISOString(), "2026-05-01T10:20:30.000Z");
  assert.equal((row.last_login as Date).toISOString(), "2026-05-01T00:00:00.000Z");
  assert.equal(row.vip, null, "an empty boolean is unknown, not false");
  assert.equal((row.sys_updated_on as Date).toISOString(), "2026-05-02T00:00:00.000Z");
});
