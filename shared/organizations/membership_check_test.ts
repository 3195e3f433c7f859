// The brief memory of roles the cached dashboard and insights use: a removed
// member is refused once the TTL has passed (the documented bound), a lowered
// role gets 403, an outsider 404, and with TTL 0 every call reads the database.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import type { JwtClaims } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { createMembershipCheck } from "./membership_check.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

const owner = await auth.createUser(tdb.db, { orgName: "Membership Check Org" });
const orgId = owner.orgId!;
const claimsOf = (id: string): JwtClaims => ({ sub: id, role: "authenticated" });

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

Deno.test("a removed member is refused once the TTL has passed, not before", async () => {
  const member = await auth.createUser(tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${member.id}, 'viewer')`;
  let clock = 1_000_000;
  const check = createMembershipCheck({ ttlMs: 2_000, now: () => clock });
  const claims = claimsOf(member.id);
  assert.equal(await check.require(tdb.db, claims, orgId, "dashboard.read"), "viewer");
  await sql`delete from public.memberships where org_id = ${orgId} and user_id = ${member.id}`;
  // Within the bound the remembered role still answers…
  clock += 1_999;
  assert.equal(await status(check.require(tdb.db, claims, orgId, "dashboard.read")), 200);
  // …and after it the database does: 404, as for any outsider.
  clock += 2;
  assert.equal(await status(check.require(tdb.db, claims, orgId, "dashboard.read")), 404);
});

Deno.test("the action's least role still applies to a remembered role", async () => {
  const viewer = await auth.createUser(tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${viewer.id}, 'viewer')`;
  const check = createMembershipCheck({ ttlMs: 60_000 });
  const claims = claimsOf(viewer.id);
  assert.equal(await status(check.require(tdb.db, claims, orgId, "insights.read")), 200);
  assert.equal(await status(check.require(tdb.db, claims, orgId, "members.remove")), 403);
});

Deno.test("an outsider gets 404, and someone added is let in after the TTL", async () => {
  const outsider = await auth.createUser(tdb.db);
  let clock = 0;
  const check = createMembershipCheck({ ttlMs: 1_000, now: () => clock });
  const claims = claimsOf(outsider.id);
  assert.equal(await status(check.require(tdb.db, claims, orgId, "dashboard.read")), 404);
  await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${outsider.id}, 'viewer')`;
  clock += 1_001;
  assert.equal(await status(check.require(tdb.db, claims, orgId, "dashboard.read")), 200);
});

Deno.test("with TTL 0 every call reads the database", async () => {
  const member = await auth.createUser(tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${member.id}, 'analyst')`;
  const check = createMembershipCheck({ ttlMs: 0 });
  const claims = claimsOf(member.id);
  assert.equal(await check.require(tdb.db, claims, orgId, "dashboard.read"), "analyst");
  await sql`delete from public.memberships where org_id = ${orgId} and user_id = ${member.id}`;
  assert.equal(await status(check.require(tdb.db, claims, orgId, "dashboard.read")), 404);
});
