// Ownership: an owner offers, the member accepts; the organization never ends
// up without an owner, even when owners act at the same moment (run on PGlite
// and, with DATABASE_URL, on a server where the requests really overlap); and
// deleting an organization removes everything it holds.
import assert from "node:assert/strict";
import {
  type ColumnOverrides,
  createTestAuth,
  createTestDatabase,
  createTestServices,
  insertSampleRow,
  TENANT_ROW_OVERRIDES,
  type TestUser,
} from "../../scripts/testing/mod.ts";
import { createOrganizationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth);
const app = createOrganizationsApp(services);
Deno.test.afterAll(() => tdb.close());

async function call(token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/organizations${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function assertError(res: { status: number; body: unknown }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as { error: { code: string } }).error.code, code);
}

async function team(name: string, roles: string[]) {
  const owner = await auth.createUser(tdb.db, { orgName: name });
  const orgId = owner.orgId!;
  const others: TestUser[] = [];
  for (const role of roles) {
    const user = await auth.createUser(tdb.db);
    await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
                     values (${orgId}, ${user.id}, ${role}::public.org_role)`;
    others.push(user);
  }
  return { owner, orgId, others };
}

async function roles(orgId: string): Promise<Record<string, string>> {
  const rows = await tdb.db.sql<{ user_id: string; role: string }[]>`
    select user_id, role::text from public.memberships where org_id = ${orgId}`;
  return Object.fromEntries(rows.map((r) => [r.user_id, r.role]));
}

async function ownerCount(orgId: string): Promise<number> {
  const [row] = await tdb.db.sql<{ n: number }[]>`
    select count(*)::int as n from public.memberships where org_id = ${orgId} and role = 'owner'`;
  return row!.n;
}

Deno.test("ownership moves only when the member offered accepts", async (t) => {
  const { owner, orgId, others: [admin, viewer] } = await team("Handover Co", ["admin", "viewer"]);
  const path = `/${orgId}/ownership-transfer`;

  await t.step("only an owner offers, and only to a member", async () => {
    assertError(
      await call(admin!.token, "PUT", path, { user_id: viewer!.id }),
      403,
      "insufficient_role",
    );
    assertError(
      await call(owner.token, "PUT", path, { user_id: crypto.randomUUID() }),
      404,
      "member_not_found",
    );
    assertError(await call(owner.token, "PUT", path, { user_id: owner.id }), 409, "already_owner");
  });
  await t.step("the offer changes nothing until accepted", async () => {
    const offer = await call(owner.token, "PUT", path, { user_id: viewer!.id });
    assert.equal(offer.status, 200, JSON.stringify(offer.body));
    assert.equal(offer.body.data.to_user_id, viewer!.id);
    assert.equal(offer.body.data.from_email, owner.email);
    assert.equal((await call(viewer!.token, "GET", path)).body.data.to_email, viewer!.email);
    assert.equal((await roles(orgId))[viewer!.id], "viewer");
  });
  await t.step("someone else cannot accept it", async () => {
    assertError(await call(admin!.token, "POST", `${path}/accept`), 404, "transfer_not_found");
    assert.equal(await ownerCount(orgId), 1);
  });
  await t.step("a viewer cannot make themselves owner without an offer, even in SQL", async () => {
    const claims = await auth.verifier.verify(admin!.token);
    await assert.rejects(
      tdb.db.asTenant(claims, (tx) =>
        tx`update public.memberships set role = 'owner'
           where org_id = ${orgId} and user_id = ${admin!.id}`),
      (error: Error & { code?: string }) => error.code === "CQ403",
    );
  });
  await t.step("the recipient accepts: they are owner, the offerer is admin", async () => {
    const accepted = await call(viewer!.token, "POST", `${path}/accept`);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.data.role, "owner");
    const now = await roles(orgId);
    assert.equal(now[viewer!.id], "owner");
    assert.equal(now[owner.id], "admin");
    assert.equal((await call(viewer!.token, "GET", path)).body.data, null, "the offer is used up");
  });
});

Deno.test("an offer can be withdrawn, declined, and expires", async () => {
  const { owner, orgId, others: [analyst] } = await team("Undecided Co", ["analyst"]);
  const path = `/${orgId}/ownership-transfer`;
  await call(owner.token, "PUT", path, { user_id: analyst!.id });
  assert.equal((await call(owner.token, "DELETE", path)).status, 204);
  assertError(await call(analyst!.token, "POST", `${path}/accept`), 404, "transfer_not_found");

  await call(owner.token, "PUT", path, { user_id: analyst!.id });
  assert.equal((await call(analyst!.token, "DELETE", path)).status, 204, "declined");
  assertError(await call(owner.token, "DELETE", path), 404, "transfer_not_found");

  await call(owner.token, "PUT", path, { user_id: analyst!.id });
  await tdb.db.sql`update public.ownership_transfers set expires_at = now() - interval '1 second'
                   where org_id = ${orgId}`;
  assertError(await call(analyst!.token, "POST", `${path}/accept`), 410, "transfer_expired");
  assert.equal((await roles(orgId))[analyst!.id], "analyst");
});

Deno.test("an offer dies when the owner who made it steps down or leaves", async () => {
  const { owner, orgId, others: [second, member] } = await team("Fickle Co", ["owner", "viewer"]);
  const path = `/${orgId}/ownership-transfer`;
  await call(owner.token, "PUT", path, { user_id: member!.id });
  assert.equal((await call(owner.token, "POST", `/${orgId}/leave`)).status, 204);
  assertError(await call(member!.token, "POST", `${path}/accept`), 404, "transfer_not_found");
  assert.deepEqual(Object.values(await roles(orgId)).sort(), ["owner", "viewer"]);
  assert.equal((await roles(orgId))[second!.id], "owner");
});

Deno.test("two owners stepping down at once leave one owner", async () => {
  for (let round = 0; round < 3; round++) {
    const { owner, orgId, others: [second] } = await team(`Race Co ${round}`, ["owner"]);
    const results = await Promise.all([
      call(owner.token, "PATCH", `/${orgId}/members/${owner.id}`, { role: "admin" }),
      call(second!.token, "PATCH", `/${orgId}/members/${second!.id}`, { role: "admin" }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], JSON.stringify(results));
    assertError(results.find((r) => r.status === 409)!, 409, "last_owner");
    assert.equal(await ownerCount(orgId), 1);
  }
});

Deno.test("two owners leaving at once leave one owner", async () => {
  for (let round = 0; round < 3; round++) {
    const { owner, orgId, others: [second] } = await team(`Exodus Co ${round}`, ["owner"]);
    const results = await Promise.all([
      call(owner.token, "POST", `/${orgId}/leave`),
      call(second!.token, "POST", `/${orgId}/leave`),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [204, 409], JSON.stringify(results));
    assert.equal(await ownerCount(orgId), 1);
  }
});

Deno.test("accepting an offer while the offerer steps down keeps an owner", async () => {
  for (let round = 0; round < 3; round++) {
    const { owner, orgId, others: [heir] } = await team(`Succession Co ${round}`, ["admin"]);
    await call(owner.token, "PUT", `/${orgId}/ownership-transfer`, { user_id: heir!.id });
    await Promise.all([
      call(heir!.token, "POST", `/${orgId}/ownership-transfer/accept`),
      call(owner.token, "PATCH", `/${orgId}/members/${owner.id}`, { role: "admin" }),
    ]);
    assert.ok(await ownerCount(orgId) >= 1);
  }
});

const ROWS: ColumnOverrides = {
  "public.instances": { url: "https://doomed.service-now.com", auth_type: "basic" },
  "public.snow_records": { table_name: "sys_user" },
  "public.sync_runs": { mode: "full", status: "succeeded" },
  "public.sync_table_results": { status: "succeeded" },
  "public.analysis_runs": { status: "succeeded" },
  "public.analysis_check_results": {
    check_id: "sample_check",
    status: "PASS",
    family: "behavioural",
    severity: "low",
    severity_rank: 3,
  },
  "public.analysis_finding_events": { kind: "triage" },
  "public.analysis_finding_results": { status: "FAIL" },
  "public.analysis_findings": { status: "open" },
  "public.jobs": { status: "queued", kind: "probe" },
  "public.report_exports": { format: "pdf", status: "succeeded", sha256: null, storage: null },
  "public.report_links": { kind: "share", revoked_at: null },
  "public.report_definitions": { format: "pdf" },
  "public.report_events": { action: "generated" },
  "public.analysis_check_settings": { check_id: "sample_check" },
  "public.analysis_custom_checks": {
    check_id: "custom_sample",
    area: "access",
    table_name: "sys_user",
    severity: "low",
    risk_score: 1,
    query: "active=true",
  },
  "public.analysis_suppressions": {
    scope: "check_org",
    check_id: "sample_check",
    reason: "sample",
  },
  "public.invitations": {
    email: "sample@invite.test",
    role: "viewer",
    token_hash: null, // set per organization: the hash is unique
    status: "pending",
    accepted_at: null,
    revoked_at: null,
  },
};

const randomHash = () => crypto.getRandomValues(new Uint8Array(32));

/** Every public table with an org_id column: what an organization holds. */
async function orgTables(): Promise<string[]> {
  const rows = await tdb.db.sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
    where c.relkind in ('r', 'p') and n.nspname = 'public'
      -- The audit trail is append-only and outlives the organization (docs/audit.md).
      and c.relname not in ('audit_log', 'audit_anchors', 'audit_chain_starts')
    order by 1`;
  return rows.map((r) => r.name);
}

async function rowsHeld(orgId: string): Promise<Record<string, number>> {
  const held: Record<string, number> = {};
  for (const table of await orgTables()) {
    const [row] = await tdb.db.sql.unsafe<{ n: number }[]>(
      `select count(*)::int as n from ${table} where org_id = $1`,
      [orgId],
    );
    held[table] = row!.n;
  }
  held["public.organizations"] = (await tdb.db.sql`
    select 1 from public.organizations where id = ${orgId}`).length;
  return held;
}

Deno.test("deleting an organization: owner only, typed name, everything it holds is gone", async (t) => {
  const { owner, orgId, others: [admin] } = await team("Doomed Co", ["admin"]);
  const survivor = await team("Survivor Co", []);
  await tdb.db.sql`update public.organizations set plan = 'enterprise'
                   where id in (${orgId}, ${survivor.orgId})`;
  for (const { orgId: id, owner: user } of [{ orgId, owner }, survivor]) {
    for (const table of await orgTables()) {
      const invitation = { ...ROWS["public.invitations"], token_hash: randomHash() };
      await insertSampleRow(tdb.db.sql, table, { orgId: id, userId: user.id }, {
        ...TENANT_ROW_OVERRIDES,
        ...ROWS,
        "public.invitations": invitation,
      });
    }
  }
  await tdb.db.sql`update public.instances set sync_schedule_id = 'sync-doomed'
                   where id = (select id from public.instances where org_id = ${orgId} limit 1)`;
  const removed: string[] = [];
  const remove = services.tasks.schedules.remove;
  services.tasks.schedules.remove = (id) => {
    removed.push(id);
    return remove(id);
  };
  const before = await rowsHeld(orgId);
  assert.ok(Object.values(before).every((n) => n > 0), JSON.stringify(before));

  await t.step("an admin cannot delete it", async () => {
    assertError(
      await call(admin!.token, "DELETE", `/${orgId}`, { confirm_name: "Doomed Co" }),
      403,
      "insufficient_role",
    );
  });
  await t.step("the name must be typed exactly", async () => {
    for (const confirm_name of ["doomed co", "Doomed", ""]) {
      const res = await call(owner.token, "DELETE", `/${orgId}`, { confirm_name });
      assertError(res, 422, "confirmation_mismatch");
      assert.equal(res.body.error.details[0].path, "confirm_name");
    }
    assertError(await call(owner.token, "DELETE", `/${orgId}`, {}), 400, "validation_failed");
  });
  await t.step("the owner deletes it and every row of it is gone", async () => {
    assert.equal(
      (await call(owner.token, "DELETE", `/${orgId}`, { confirm_name: "Doomed Co" })).status,
      204,
    );
    const after = await rowsHeld(orgId);
    assert.deepEqual(
      Object.entries(after).filter(([, n]) => n > 0),
      [],
      "no table keeps a row of the deleted organization",
    );
    const [trail] = await tdb.db.sql<{ n: number; deleted: number }[]>`
      select count(*)::int as n,
             count(*) filter (where target_table = 'organizations'
                              and operation = 'delete')::int as deleted
      from public.audit_log where org_id = ${orgId}`;
    assert.ok(trail!.n > 0, "the audit trail outlives the organization");
    assert.equal(trail!.deleted, 1, "and records its deletion");
    assertError(await call(owner.token, "GET", `/${orgId}`), 404, "not_found");
    assert.deepEqual(removed, ["sync-doomed"], "its sync schedule left the queue");
  });
  await t.step("other organizations keep theirs", async () => {
    const kept = await rowsHeld(survivor.orgId);
    assert.ok(Object.values(kept).every((n) => n > 0), JSON.stringify(kept));
  });
});

Deno.test({
  name: "an owner's step-down waits for a concurrent one and then sees it (server database)",
  // PGlite has one connection: two open transactions cannot overlap there.
  ignore: !Deno.env.get("DATABASE_URL"),
  fn: async () => {
    const { owner, orgId, others: [second] } = await team("Overlap Co", ["owner"]);
    const [first, other] = await Promise.all([tdb.db.sql.reserve(), tdb.db.sql.reserve()]);
    const begin = async (tx: typeof first, user: TestUser) => {
      await tx`begin`;
      await tx`set local role authenticated`;
      await tx`select set_config('request.jwt.claims', ${
        JSON.stringify({ sub: user.id, role: "authenticated" })
      }, true)`;
    };
    try {
      await begin(first, owner);
      await begin(other, second!);
      await first`update public.memberships set role = 'admin'
                  where org_id = ${orgId} and user_id = ${owner.id}`;
      // Blocks on the organization row the first transaction holds.
      const waiting = other`update public.memberships set role = 'admin'
                            where org_id = ${orgId} and user_id = ${second!.id}`
        .then(() => null, (error: { code?: string; hint?: string }) => error.hint ?? error.code);
      await first`commit`;
      assert.equal(await waiting, "last_owner");
    } finally {
      await other`rollback`.catch(() => {});
      first.release();
      other.release();
    }
    assert.equal(await ownerCount(orgId), 1);
  },
});
