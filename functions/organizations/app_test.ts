import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { createOrganizationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const METRICS_TOKEN = "scrape-credential-for-tests";
const app = createOrganizationsApp(
  createTestServices(tdb.db, auth, { MAX_BODY_BYTES: "2048", METRICS_TOKEN }),
);
Deno.test.afterAll(() => tdb.close());

const BASE = "http://localhost/organizations";

async function call(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
  if (body !== undefined) {
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const res = await app.request(`${BASE}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Makes `userId` a member directly (invitations have their own tests). */
async function join(orgId: string, userId: string, role: string) {
  await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
                   values (${orgId}, ${userId}, ${role}::public.org_role)`;
}

function assertError(res: { status: number; body: unknown }, status: number, code?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const error = (res.body as { error: { code: string; message: string; details: unknown } }).error;
  assert.equal(typeof error.message, "string");
  assert.ok("details" in error);
  if (code) assert.equal(error.code, code);
}

Deno.test("GET /organizations lists only the caller's organizations, with their role", async () => {
  const alice = await auth.createUser(tdb.db, { orgName: "Alice Corp" });
  await auth.createUser(tdb.db, { orgName: "Bob Corp" });
  const res = await call(alice.token, "GET", "");
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.data.map((o: { name: string; role: string }) => [o.name, o.role]), [
    ["Alice Corp", "owner"],
  ]);
});

Deno.test("POST /organizations creates an organization owned by the caller", async (t) => {
  const user = await auth.createUser(tdb.db);
  await t.step("with a slug derived from the name", async () => {
    const res = await call(user.token, "POST", "", { name: "  Globex Security  " });
    assert.equal(res.status, 201);
    assert.equal(res.body.data.name, "Globex Security");
    assert.match(res.body.data.slug, /^globex-security(-\d+)?$/);
    assert.equal(res.body.data.role, "owner");
    assert.equal(res.body.data.plan, "trial");
    assert.equal(res.body.data.settings.timezone, "UTC");
  });
  await t.step("with a chosen slug, refusing one that is taken", async () => {
    const first = await call(user.token, "POST", "", { name: "Initech", slug: "initech-sec" });
    assert.equal(first.status, 201);
    assert.equal(first.body.data.slug, "initech-sec");
    assertError(
      await call(user.token, "POST", "", { name: "Other", slug: "initech-sec" }),
      409,
      "already_exists",
    );
  });
  await t.step("refusing an empty name and unknown fields with field details", async () => {
    const res = await call(user.token, "POST", "", { name: " ", plan: "enterprise" });
    assertError(res, 400, "validation_failed");
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    assert.ok(paths.includes("name"), JSON.stringify(res.body));
  });
});

Deno.test("GET /organizations/:orgId answers 404 for a foreign or unknown org, never 403", async () => {
  const alice = await auth.createUser(tdb.db, { orgName: "Alpha" });
  const mallory = await auth.createUser(tdb.db, { orgName: "Mallory Inc" });
  assert.equal((await call(alice.token, "GET", `/${alice.orgId}`)).status, 200);
  assertError(await call(mallory.token, "GET", `/${alice.orgId}`), 404, "not_found");
  assertError(await call(alice.token, "GET", `/${crypto.randomUUID()}`), 404, "not_found");
  assertError(await call(alice.token, "GET", `/not-a-uuid`), 400, "validation_failed");
});

Deno.test("PATCH /organizations/:orgId updates name, slug and settings for admins only", async (t) => {
  const owner = await auth.createUser(tdb.db, { orgName: "Patchable" });
  const viewer = await auth.createUser(tdb.db);
  await join(owner.orgId!, viewer.id, "viewer");

  await t.step("merges settings and keeps the rest", async () => {
    const res = await call(owner.token, "PATCH", `/${owner.orgId}`, {
      name: "Patched",
      settings: { dormant_account_days: 60, timezone: "Europe/Paris" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.name, "Patched");
    assert.equal(res.body.data.settings.dormant_account_days, 60);
    assert.equal(res.body.data.settings.timezone, "Europe/Paris");
    assert.deepEqual(res.body.data.settings.notification_emails, []);
  });
  await t.step("rejects settings out of bounds", async () => {
    const res = await call(owner.token, "PATCH", `/${owner.orgId}`, {
      settings: { dormant_account_days: 5, timezone: "Mars/Olympus" },
    });
    assertError(res, 400, "validation_failed");
    assert.equal(res.body.error.details.length, 2);
  });
  await t.step("accepts a default framework of the check catalog, and null", async () => {
    const frameworks = [
      "sox_itgc",
      "soc2_2017",
      "iso_27001_2022",
      "nist_800_53_r5",
      "nist_csf_2_0",
      "pci_dss_4_0",
      "cis_controls_v8_1",
    ];
    for (const id of frameworks) {
      const res = await call(owner.token, "PATCH", `/${owner.orgId}`, {
        settings: { default_framework: id },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.data.settings.default_framework, id);
    }
    const cleared = await call(owner.token, "PATCH", `/${owner.orgId}`, {
      settings: { default_framework: null },
    });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.data.settings.default_framework, null);
  });
  await t.step("refuses a framework id the catalog does not have, naming the field", async () => {
    await call(owner.token, "PATCH", `/${owner.orgId}`, {
      settings: { default_framework: "sox_itgc" },
    });
    for (const id of ["soc2", "iso27001", "nist_800_53", ""]) {
      const res = await call(owner.token, "PATCH", `/${owner.orgId}`, {
        settings: { default_framework: id },
      });
      assertError(res, 400, "validation_failed");
      assert.deepEqual(
        res.body.error.details.map((d: { path: string }) => d.path),
        ["settings.default_framework"],
      );
      assert.match(
        res.body.error.details[0].message,
        /framework id of the check catalog: sox_itgc/,
      );
    }
    const org = await call(owner.token, "GET", `/${owner.orgId}`);
    assert.equal(org.body.data.settings.default_framework, "sox_itgc", "nothing was saved");
  });
  await t.step("turns the analysis after each sync off and on", async () => {
    const created = await call(owner.token, "GET", `/${owner.orgId}`);
    assert.equal(created.body.data.settings.analyze_after_sync, true, "on by default");
    const off = await call(owner.token, "PATCH", `/${owner.orgId}`, {
      settings: { analyze_after_sync: false },
    });
    assert.equal(off.body.data.settings.analyze_after_sync, false);
    const on = await call(owner.token, "PATCH", `/${owner.orgId}`, {
      settings: { analyze_after_sync: true },
    });
    assert.equal(on.body.data.settings.analyze_after_sync, true);
    assertError(
      await call(owner.token, "PATCH", `/${owner.orgId}`, {
        settings: { analyze_after_sync: "yes" },
      }),
      400,
      "validation_failed",
    );
  });
  await t.step("refuses settings it does not know", async () => {
    const res = await call(owner.token, "PATCH", `/${owner.orgId}`, {
      settings: { color: "blue" },
    });
    assertError(res, 400, "validation_failed");
  });
  await t.step("refuses a viewer with 403", async () => {
    const res = await call(viewer.token, "PATCH", `/${owner.orgId}`, { name: "Hijacked" });
    assertError(res, 403, "insufficient_role");
    const org = await call(owner.token, "GET", `/${owner.orgId}`);
    assert.equal(org.body.data.name, "Patched");
  });
  await t.step("does not let members change the plan", async () => {
    const res = await call(owner.token, "PATCH", `/${owner.orgId}`, { plan: "enterprise" });
    assertError(res, 400, "validation_failed");
  });
});

Deno.test("members: list, change role, remove and leave follow the role rules", async (t) => {
  const owner = await auth.createUser(tdb.db, { orgName: "Team Org", email: "owner@team.test" });
  const admin = await auth.createUser(tdb.db, { email: "admin@team.test" });
  const analyst = await auth.createUser(tdb.db, { email: "analyst@team.test" });
  const org = `/${owner.orgId}`;

  await join(owner.orgId!, admin.id, "admin");
  await join(owner.orgId!, analyst.id, "analyst");

  await t.step("an admin cannot make anyone an owner", async () => {
    assertError(
      await call(admin.token, "PATCH", `${org}/members/${analyst.id}`, { role: "owner" }),
      403,
      "owner_required",
    );
    assertError(
      await call(admin.token, "PATCH", `${org}/members/${owner.id}`, { role: "viewer" }),
      403,
      "owner_required",
    );
  });
  await t.step("an analyst cannot change roles", async () => {
    assertError(
      await call(analyst.token, "PATCH", `${org}/members/${admin.id}`, { role: "viewer" }),
      403,
      "insufficient_role",
    );
  });
  await t.step("members are listed by email with keyset pages", async () => {
    const first = await call(analyst.token, "GET", `${org}/members?limit=2`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.data.map((m: { email: string }) => m.email), [
      "admin@team.test",
      "analyst@team.test",
    ]);
    assert.ok(first.body.next_cursor);
    const second = await call(
      analyst.token,
      "GET",
      `${org}/members?limit=2&cursor=${first.body.next_cursor}`,
    );
    assert.deepEqual(second.body.data.map((m: { email: string }) => m.email), ["owner@team.test"]);
    assert.equal(second.body.next_cursor, null);
    assertError(
      await call(analyst.token, "GET", `${org}/members?cursor=garbage`),
      400,
      "invalid_cursor",
    );
    assertError(
      await call(analyst.token, "GET", `${org}/members?limit=1000`),
      400,
      "validation_failed",
    );
  });
  await t.step("the last owner can neither step down nor leave", async () => {
    assertError(
      await call(owner.token, "PATCH", `${org}/members/${owner.id}`, { role: "admin" }),
      409,
      "last_owner",
    );
    assertError(await call(owner.token, "POST", `${org}/leave`), 409, "last_owner");
  });
  await t.step("an owner promotes another owner, who may then step down", async () => {
    const res = await call(owner.token, "PATCH", `${org}/members/${admin.id}`, { role: "owner" });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.role, "owner");
    assert.equal(
      (await call(owner.token, "PATCH", `${org}/members/${owner.id}`, { role: "admin" })).status,
      200,
    );
  });
  await t.step("an admin removes an analyst, who then cannot see the org", async () => {
    // owner was demoted to admin above
    assert.equal((await call(owner.token, "DELETE", `${org}/members/${analyst.id}`)).status, 204);
    assertError(await call(analyst.token, "GET", org), 404);
  });
  await t.step("a member can leave", async () => {
    assert.equal((await call(owner.token, "POST", `${org}/leave`)).status, 204);
    assertError(await call(owner.token, "GET", `${org}/members`), 404);
  });
});

Deno.test("requests without a valid token get 401 with the error shape", async (t) => {
  const user = await auth.createUser(tdb.db, { orgName: "Tokens" });
  await t.step(
    "missing",
    async () => assertError(await call(null, "GET", ""), 401, "missing_token"),
  );
  await t.step("expired", async () => {
    const expired = await auth.mint(user.id, { expiresIn: -60 });
    assertError(await call(expired, "GET", ""), 401, "token_expired");
  });
  await t.step("tampered", async () => {
    const [h, p, s] = user.token.split(".");
    const payload = JSON.parse(atob(p!.replaceAll("-", "+").replaceAll("_", "/")));
    payload.sub = crypto.randomUUID();
    const forged = `${h}.${
      btoa(JSON.stringify(payload)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_")
    }.${s}`;
    assertError(await call(forged, "GET", ""), 401, "invalid_token");
  });
  await t.step("signed by someone else", async () => {
    const stranger = await createTestAuth();
    assertError(await call(await stranger.mint(user.id), "GET", ""), 401, "invalid_token");
  });
  await t.step("trying to pose as a background worker", async () => {
    const sneaky = await auth.mint(crypto.randomUUID(), {
      claims: { ciq_actor: "worker", ciq_org_id: user.orgId },
    });
    assertError(await call(sneaky, "GET", `/${user.orgId}`), 404);
  });
});

Deno.test("bad bodies get 400, 413 and 415 with the error shape and write nothing", async (t) => {
  const user = await auth.createUser(tdb.db);
  const count = async () =>
    Number(
      (await tdb.db.sql`select count(*) from public.organizations where created_by = ${user.id}`)[
        0
      ]!.count,
    );
  await t.step("malformed JSON", async () => {
    assertError(await call(user.token, "POST", "", "{name: oops"), 400, "malformed_json");
  });
  await t.step("wrong types", async () => {
    const res = await call(user.token, "POST", "", { name: 42 });
    assertError(res, 400, "validation_failed");
    assert.equal(res.body.error.details[0].path, "name");
  });
  await t.step("oversize body", async () => {
    assertError(
      await call(user.token, "POST", "", { name: "x".repeat(5000) }),
      413,
      "payload_too_large",
    );
  });
  await t.step("not JSON at all", async () => {
    const res = await call(user.token, "POST", "", "name=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    assertError(res, 415);
  });
  assert.equal(await count(), 0);
});

Deno.test("health and readiness are public; metrics need the scrape credential", async () => {
  assert.deepEqual((await call(null, "GET", "/health")).body, { status: "ok" });
  assert.deepEqual((await call(null, "GET", "/ready")).body, { status: "ready" });
  assertError(await call(null, "GET", "/metrics"), 401, "invalid_metrics_token");
  const user = await auth.createUser(tdb.db);
  assertError(await call(user.token, "GET", "/metrics"), 401, "invalid_metrics_token");
  const res = await app.request(`${BASE}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /ciq_http_requests_total\{function="organizations"/);
  assert.match(text, /ciq_http_request_duration_seconds_bucket/);
});

Deno.test("unknown routes answer 404 in the error shape", async () => {
  const user = await auth.createUser(tdb.db);
  assertError(await call(user.token, "GET", "/a/b/c/d"), 404, "route_not_found");
});
