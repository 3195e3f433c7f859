// Proves, for every table that has an org_id column, that Postgres itself keeps
// tenants apart: RLS enabled and forced, and a member of org A (even its owner,
// even a background worker acting for A) can neither read, insert, update, move
// nor delete org B's rows. New tables are covered automatically; a table whose
// check constraints reject generated values gets an entry in OVERRIDES.
import assert from "node:assert/strict";
import {
  type ColumnOverrides,
  createTestAuth,
  createTestDatabase,
  insertSampleRow,
  sampleValues,
  TENANT_ROW_OVERRIDES,
} from "../../scripts/testing/mod.ts";
import { apiKeyClaims, type TenantClaims, type Tx, workerClaims } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

/** Column values for tables whose constraints reject generic sample values. */
const OVERRIDES: ColumnOverrides = TENANT_ROW_OVERRIDES;

/** Tables keyed by the organization whose row is created with the organization. */
const ONE_ROW_PER_ORG = ["private.audit_heads"];

interface TenantTable {
  name: string;
  kind: string;
  rls: boolean;
  forced: boolean;
  invoker: boolean;
  pk: string[];
}

const tables = await sql<TenantTable[]>`
  select n.nspname || '.' || c.relname as name, c.relkind as kind,
         c.relrowsecurity as rls, c.relforcerowsecurity as forced,
         coalesce(c.reloptions::text[] && array['security_invoker=true', 'security_invoker=on'], false)
           as invoker,
         coalesce((select array_agg(a2.attname::text order by a2.attnum)
            from pg_index i join pg_attribute a2 on a2.attrelid = i.indrelid and a2.attnum = any (i.indkey)
           where i.indrelid = c.oid and i.indisprimary), '{}') as pk
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
  where c.relkind in ('r', 'p', 'v', 'm')
    and n.nspname not in ('pg_catalog', 'information_schema')
  order by 1`;

Deno.test("the schema has tenant tables to check", () => {
  assert.ok(tables.some((t) => t.name === "public.memberships"), "memberships must be discovered");
});

Deno.test("every table with org_id has row-level security enabled and forced", () => {
  const weak = tables.filter((t) => (t.kind === "r" || t.kind === "p") && !(t.rls && t.forced));
  assert.deepEqual(weak.map((t) => t.name), [], "tables without forced RLS");
});

Deno.test("every view with org_id runs with the caller's rights (security_invoker)", () => {
  const definer = tables.filter((t) => t.kind === "v" && !t.invoker);
  assert.deepEqual(definer.map((t) => t.name), [], "views that would bypass RLS");
  const materialized = tables.filter((t) => t.kind === "m");
  assert.deepEqual(materialized.map((t) => t.name), [], "materialized views cannot have RLS");
});

Deno.test("every table in public has row-level security enabled", async () => {
  const open = await sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`;
  assert.deepEqual(open.map((r) => r.name), []);
});

const alice = await auth.createUser(tdb.db, { orgName: "Tenant A" });
const bob = await auth.createUser(tdb.db, { orgName: "Tenant B" });
// Enterprise limits, so sample rows never hit a plan limit.
await sql`update public.organizations set plan = 'enterprise' where id in (${alice.orgId!}, ${bob
  .orgId!})`;
const tenantA = { orgId: alice.orgId!, userId: alice.id };
const tenantB = { orgId: bob.orgId!, userId: bob.id };

// An analyst API key of org A: its own principal, admitted for org A only.
const [keyA] = await sql<{ id: string }[]>`
  insert into public.api_keys (org_id, name, role, prefix, secret_hash, created_by)
  values (${alice.orgId!}, 'A key', 'analyst', ${`ciq_live_${
  crypto.randomUUID().replaceAll("-", "")
}`},
          ${"0".repeat(64)}, ${alice.id})
  returning id`;

const actors: [string, TenantClaims][] = [
  ["the owner of org A", { sub: alice.id, role: "authenticated", email: alice.email }],
  ["a background worker for org A", workerClaims(alice.orgId!)],
  ["an API key of org A", apiKeyClaims(keyA!.id, alice.orgId!)],
];

async function attempt(claims: TenantClaims, fn: (tx: Tx) => Promise<unknown>) {
  try {
    return { value: await tdb.db.asTenant(claims, fn), error: null };
  } catch (error) {
    return { value: null, error: error as { code?: string } };
  }
}

for (const table of tables.filter((t) => t.kind === "r" || t.kind === "p")) {
  const ident = table.name;
  Deno.test(`${table.name}: org A cannot read, write, move or delete org B's rows`, async (t) => {
    // Tables with one row per organization already hold the row its creation wrote.
    const rowOf = async (tenant: typeof tenantA) =>
      ONE_ROW_PER_ORG.includes(ident)
        ? (await sql`select * from ${sql(ident)} where org_id = ${tenant.orgId}`)[0]!
        : await insertSampleRow(sql, table.name, tenant, OVERRIDES);
    const rowB = await rowOf(tenantB);
    const rowA = await rowOf(tenantA);
    const countB = async () =>
      Number(
        (await sql`select count(*) from ${sql(ident)} where org_id = ${tenantB.orgId}`)[0]!.count,
      );
    const before = await countB();

    for (const [who, claims] of actors) {
      await t.step(`${who} sees none of B's rows`, async () => {
        const read = await attempt(
          claims,
          (tx) => tx`select org_id from ${tx(ident)} where org_id <> ${tenantA.orgId}`,
        );
        // A table people may not read at all (42501) shows them nothing either.
        if (read.error) assert.equal(read.error.code, "42501", String(read.error));
        else assert.equal((read.value as unknown[]).length, 0);
      });
      await t.step(`${who} cannot update or delete B's rows`, async () => {
        const updated = await attempt(
          claims,
          (tx) =>
            tx`update ${tx(ident)} set org_id = org_id where org_id = ${tenantB.orgId} returning 1`,
        );
        assert.ok(updated.error || (updated.value as unknown[]).length === 0);
        const deleted = await attempt(
          claims,
          (tx) => tx`delete from ${tx(ident)} where org_id = ${tenantB.orgId} returning 1`,
        );
        assert.ok(deleted.error || (deleted.value as unknown[]).length === 0);
      });
      await t.step(`${who} cannot insert a row into B`, async () => {
        const values = await sampleValues(sql, table.name, tenantB, OVERRIDES);
        const inserted = await attempt(
          claims,
          (tx) => tx`insert into ${tx(ident)} ${tx(values, Object.keys(values))}`,
        );
        assert.ok(inserted.error, "insert into another tenant succeeded");
      });
      await t.step(`${who} cannot move its own row into B`, async () => {
        const where = table.pk.map((column) => sql`${sql(column)} = ${rowA[column] as string}`);
        const moved = await attempt(
          claims,
          (tx) =>
            tx`update ${tx(ident)} set org_id = ${tenantB.orgId}
             where ${where.reduce((acc, part) => tx`${acc} and ${part}`)} returning 1`,
        );
        assert.ok(moved.error || (moved.value as unknown[]).length === 0, "row moved to tenant B");
      });
    }
    assert.equal(await countB(), before, "org B's rows changed");
    assert.ok(rowB);
  });
}

Deno.test("organizations: org A cannot see, update or delete org B", async () => {
  for (const [, claims] of actors) {
    const seen = await tdb.db.asTenant(claims, (tx) => tx`select id from public.organizations`);
    assert.deepEqual(seen.map((r) => r.id), [tenantA.orgId]);
    const updated = await attempt(
      claims,
      (tx) =>
        tx`update public.organizations set name = 'pwned' where id = ${tenantB.orgId} returning 1`,
    );
    assert.ok(updated.error || (updated.value as unknown[]).length === 0);
    const deleted = await attempt(
      claims,
      (tx) => tx`delete from public.organizations where id = ${tenantB.orgId} returning 1`,
    );
    assert.ok(deleted.error || (deleted.value as unknown[]).length === 0);
  }
  const [org] = await sql`select name from public.organizations where id = ${tenantB.orgId}`;
  assert.equal(org?.name, "Tenant B");
});

Deno.test("profiles: only teammates' profiles are visible", async () => {
  const rows = await tdb.db.asTenant(
    { sub: alice.id, role: "authenticated" },
    (tx) => tx`select id from public.profiles`,
  );
  const teammates =
    await sql`select user_id from public.memberships where org_id = ${tenantA.orgId}`;
  assert.deepEqual(
    rows.map((r) => r.id).sort(),
    teammates.map((r) => r.user_id).sort(),
  );
  assert.ok(!rows.some((r) => r.id === bob.id));
});
