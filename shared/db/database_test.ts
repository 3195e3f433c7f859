import assert from "node:assert/strict";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { connectDatabase, workerClaims } from "./mod.ts";

const tdb = await createTestDatabase();
// One connection, so every transaction below reuses the same session.
const db = connectDatabase(tdb.url, { max: 1 });
Deno.test.afterAll(async () => {
  await db.close();
  await tdb.close();
});

const alice = "6d0f4a9c-0f1e-4c55-9f59-6f7e1f6b8a01";
const claims = { sub: alice, role: "authenticated" as const, email: "a@example.test" };

Deno.test("asTenant() runs as role authenticated with the caller's claims", async () => {
  const [row] = await db.asTenant(
    claims,
    (tx) => tx`select current_user as role, auth.uid() as uid, auth.jwt() ->> 'email' as email`,
  );
  assert.deepEqual({ ...row }, { role: "authenticated", uid: alice, email: "a@example.test" });
});

Deno.test("asTenant() leaves nothing behind for the next transaction on the connection", async () => {
  await db.asTenant(claims, (tx) => tx`select 1`);
  const [row] = await db.sql`select current_user as role, auth.uid() as uid`;
  assert.equal(row?.uid, null);
  assert.notEqual(row?.role, "authenticated");
});

Deno.test("asTenant() rolls back every write when the work fails", async () => {
  const name = `rollback-${crypto.randomUUID()}`;
  await assert.rejects(() =>
    db.asService(async (tx) => {
      await tx`insert into public.organizations (name, slug) values (${name}, ${
        name.slice(0, 40)
      })`;
      throw new Error("boom");
    }), /boom/);
  const rows = await db.sql`select 1 from public.organizations where name = ${name}`;
  assert.equal(rows.length, 0);
});

Deno.test("asTenant() enforces row-level security: a stranger sees no organizations", async () => {
  await db.asService((tx) =>
    tx`insert into public.organizations (name, slug) values ('Hidden', 'hidden-org')`
  );
  const rows = await db.asTenant(claims, (tx) => tx`select id from public.organizations`);
  assert.equal(rows.length, 0);
});

Deno.test("readAsTenant() reads under RLS in one round trip and surfaces errors", async () => {
  const [row] = await db.readAsTenant(
    claims,
    (tx) => tx`select current_user as role, auth.uid() as uid`,
  );
  assert.equal(row?.role, "authenticated");
  assert.equal(row?.uid, alice);
  await assert.rejects(() => db.readAsTenant(claims, (tx) => tx`select 1/0`), /division by zero/);
  const [after] = await db.sql`select current_user as role, auth.uid() as uid`;
  assert.equal(after?.uid, null, "claims leaked after a failed read");
});

Deno.test("readAsTenant() planner settings hold for that read only", async () => {
  const [during] = await db.readAsTenant(
    claims,
    (tx) => tx`select current_setting('enable_sort') as sort, current_setting('jit') as jit`,
    { enable_sort: "off", jit: "off" },
  );
  assert.deepEqual({ ...during }, { sort: "off", jit: "off" });
  const [after] = await db.readAsTenant(
    claims,
    (tx) => tx`select current_setting('enable_sort') as sort`,
  );
  assert.equal(after?.sort, "on");
});

Deno.test("asService() bypasses RLS for trusted server work", async () => {
  const rows = await db.asService((tx) =>
    tx`select id from public.organizations where slug = 'hidden-org'`
  );
  assert.equal(rows.length, 1);
});

Deno.test("worker claims act for exactly one organization", async () => {
  const [org] = await db.sql<
    { id: string }[]
  >`select id from public.organizations where slug = 'hidden-org'`;
  const rows = await db.asTenant(
    workerClaims(org!.id),
    (tx) => tx`select id from public.organizations`,
  );
  assert.deepEqual(rows.map((r) => r.id), [org!.id]);
});
