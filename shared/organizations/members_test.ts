// The members list reads through private.members_page, which sets claims and
// role for itself: these tests hold it to the same guarantees as a tenant
// transaction (RLS decides, nothing leaks onto the pooled connection, users
// cannot call it to impersonate someone) and check who sees whose profile.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { type TenantClaims, workerClaims } from "../db/mod.ts";
import { listMembers } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const db = tdb.db;

const owner = await auth.createUser(db, { orgName: "Members Org", email: "owner@members.test" });
const teammate = await auth.createUser(db, { email: "teammate@members.test" });
const stranger = await auth.createUser(db, { orgName: "Other Org", email: "stranger@other.test" });
await db.sql`insert into public.memberships (org_id, user_id, role)
  values (${owner.orgId!}, ${teammate.id}, 'viewer')`;

const claimsOf = (user: { id: string }): TenantClaims => ({ sub: user.id, role: "authenticated" });

Deno.test("listMembers() shows an organization's members to its members only", async () => {
  const page = await listMembers(db, claimsOf(teammate), owner.orgId!, { limit: 10 });
  assert.deepEqual(page.data.map((m) => [m.email, m.role]), [
    ["owner@members.test", "owner"],
    ["teammate@members.test", "viewer"],
  ]);
  // Timestamps read as JSON writes them, so clients see one format everywhere.
  for (const member of page.data) {
    assert.equal(member.joined_at, new Date(member.joined_at).toISOString());
  }
  await assert.rejects(
    listMembers(db, claimsOf(stranger), owner.orgId!, { limit: 10 }),
    (error: Error & { status?: number }) => error.status === 404,
  );
  const asWorker = await listMembers(db, workerClaims(owner.orgId!), owner.orgId!, { limit: 10 });
  assert.equal(asWorker.data.length, 2);
});

Deno.test("members_page leaves neither role nor claims behind on the connection", async () => {
  const reserved = await db.sql.reserve();
  try {
    const claims = JSON.stringify(claimsOf(owner));
    await reserved`select count(*) from private.members_page(${claims}, ${owner
      .orgId!}, null, null, 10)`;
    const [after] = await reserved<{ who: string; claims: string | null }[]>`
      select current_user as who, nullif(current_setting('request.jwt.claims', true), '') as claims`;
    assert.equal(after!.claims, null);
    assert.notEqual(after!.who, "authenticated");

    // Inside a transaction it puts back the role and claims it found.
    const [before] = await reserved<{ who: string }[]>`select current_user as who`;
    await reserved`begin`;
    try {
      await reserved`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      await reserved`select count(*) from private.members_page(${claims}, ${owner
        .orgId!}, null, null, 10)`;
      const [inside] = await reserved<{ who: string; claims: string }[]>`
        select current_user as who, current_setting('request.jwt.claims') as claims`;
      assert.deepEqual(inside, { who: before!.who, claims: '{"role":"service_role"}' });
    } finally {
      await reserved`rollback`;
    }
  } finally {
    reserved.release();
  }
});

Deno.test("a signed-in user cannot call members_page to read as someone else", async () => {
  await assert.rejects(
    db.asTenant(
      claimsOf(stranger),
      (tx) =>
        tx`select * from private.members_page(${JSON.stringify(claimsOf(owner))}, ${owner
          .orgId!}, null, null, 10)`,
    ),
    (error: Error & { code?: string }) => error.code === "42501",
  );
});

Deno.test("profiles are visible to oneself and to teammates, not to strangers", async () => {
  const visible = (claims: TenantClaims) =>
    db.readAsTenant(
      claims,
      (tx) => tx<{ email: string }[]>`select email from public.profiles order by email`,
    ).then((rows) => rows.map((r) => r.email));
  assert.deepEqual(await visible(claimsOf(teammate)), [
    "owner@members.test",
    "teammate@members.test",
  ]);
  assert.deepEqual(await visible(claimsOf(stranger)), ["stranger@other.test"]);
  assert.deepEqual(await visible(workerClaims(owner.orgId!)), [
    "owner@members.test",
    "teammate@members.test",
  ]);
});
