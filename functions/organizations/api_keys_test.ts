// API keys end to end through the real apps (gate, RLS, permission matrix):
// an admin creates keys, a key reads its organization's data as its own
// principal, cannot reach another organization or exceed its role, is refused
// on user-only routes, and stops at once when revoked or expired. Runs on
// PGlite, and on the server with DATABASE_URL.
import assert from "node:assert/strict";
import { createTestServices } from "../../scripts/testing/mod.ts";
import { createAnalysisTestbed } from "../../shared/analysis/_testbed.ts";
import { hashApiKey } from "../../shared/api_keys/mod.ts";
import type { FunctionApp } from "../../shared/http/mod.ts";
import { createAnalysisApp } from "../analysis/app.ts";
import { createInstancesApp } from "../instances/app.ts";
import { createTasksApp } from "../tasks/app.ts";
import { createOrganizationsApp } from "./app.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const sql = bed.tdb.db.sql;
const apps: Record<string, FunctionApp> = {
  organizations: createOrganizationsApp(bed.services),
  analysis: createAnalysisApp(bed.services),
  instances: createInstancesApp(bed.services, {
    fetch: () => Promise.reject(new Error("No network in this test")),
  }),
  tasks: createTasksApp(
    createTestServices(bed.tdb.db, bed.auth, {
      PUBLIC_URL: "http://localhost:8000",
      QSTASH_CURRENT_SIGNING_KEY: "sig_test_current",
      QSTASH_NEXT_SIGNING_KEY: "sig_test_next",
    }),
  ),
};

async function call(
  credential: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const fn = path.split(/[/?]/)[1]!;
  if (credential) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await apps[fn]!.request(`http://localhost${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

function assertError(
  res: { status: number; body: unknown; text: string },
  status: number,
  code?: string,
) {
  assert.equal(res.status, status, res.text);
  if (code) assert.equal((res.body as { error: { code: string } }).error.code, code, res.text);
}

const owner = bed.owner;
const orgId = bed.orgId;
const viewerUser = await bed.auth.createUser(bed.tdb.db);
await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${viewerUser.id}, 'viewer')`;
const instanceId = await bed.instance("Acme");
await bed.loadSimulated(instanceId, { users: 30, plant: true, now: new Date() });
const runId = await bed.run(instanceId);

// Another organization with its own instance and run.
const other = await bed.auth.createUser(bed.tdb.db, { orgName: "Other Corp" });
const [otherInstance] = await sql<{ id: string }[]>`
  insert into public.instances (org_id, name, url, auth_type, credentials)
  values (${other.orgId!}, 'Other', 'https://other.service-now.com', 'basic', '{}'::jsonb)
  returning id`;

async function createKey(role: "viewer" | "analyst", extra: Record<string, unknown> = {}) {
  const res = await call(owner.token, "POST", `/organizations/${orgId}/api-keys`, {
    name: `${role} key`,
    role,
    ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return res.body.data as { key: string; api_key: { id: string; prefix: string } };
}

// A trial allows one live key; the keys below need a plan that allows several.
await sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
const viewerKey = await createKey("viewer");
const analystKey = await createKey("analyst");

Deno.test("a key is shown once, in the ciq_live_<id>_<secret> format, and only its hash is stored", async () => {
  const { key, api_key } = viewerKey;
  assert.match(key, /^ciq_live_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
  assert.ok(key.startsWith(`${api_key.prefix}_`));
  const [row] = await sql<{ secret_hash: string }[]>`
    select secret_hash from public.api_keys where id = ${api_key.id}`;
  assert.notEqual(row!.secret_hash, key);
  assert.ok(!row!.secret_hash.includes(key.slice(-43)), "the secret is not stored");
  assert.equal(row!.secret_hash, await hashApiKey(key));
  // The list never carries the key or its hash.
  const list = await call(owner.token, "GET", `/organizations/${orgId}/api-keys`);
  assert.equal(list.status, 200, list.text);
  assert.ok(!list.text.includes(key.slice(-43)));
  assert.ok(!list.text.includes(row!.secret_hash));
  // Members below admin cannot see keys at all; Postgres agrees (no hash column for anyone).
  assertError(await call(viewerUser.token, "GET", `/organizations/${orgId}/api-keys`), 403);
  const claims = await bed.auth.verifier.verify(owner.token);
  await assert.rejects(
    bed.tdb.db.asTenant(claims, (tx) => tx`select secret_hash from public.api_keys`),
    (error: { code?: string }) => error.code === "42501",
  );
});

Deno.test("a key reads its organization's findings, runs and instances as its own principal", async () => {
  const findings = await call(viewerKey.key, "GET", `/analysis/findings?run_id=${runId}`);
  assert.equal(findings.status, 200, findings.text);
  assert.ok(findings.body.data.length > 0, "planted violations are visible to the key");
  assert.equal((await call(viewerKey.key, "GET", `/analysis/runs/${runId}`)).status, 200);
  const instances = await call(viewerKey.key, "GET", `/instances?org_id=${orgId}`);
  assert.equal(instances.status, 200, instances.text);
  assert.deepEqual(instances.body.data.map((i: { id: string }) => i.id), [instanceId]);
  // Last use is recorded with the caller's address.
  const list = await call(owner.token, "GET", `/organizations/${orgId}/api-keys`);
  const listed = list.body.data.find((k: { id: string }) => k.id === viewerKey.api_key.id);
  assert.ok(listed.last_used_at, "last used time");
  assert.equal(typeof listed.last_used_address, "string");
  assert.ok(listed.calls_today >= 3, `calls counted: ${listed.calls_today}`);
  assert.equal(listed.created_by.id, owner.id);
});

Deno.test("a key cannot reach another organization", async () => {
  assertError(await call(viewerKey.key, "GET", `/instances?org_id=${other.orgId}`), 404);
  assertError(await call(viewerKey.key, "GET", `/instances/${otherInstance!.id}`), 404);
  assertError(await call(analystKey.key, "POST", `/instances/${otherInstance!.id}/sync`, {}), 404);
  assertError(
    await call(analystKey.key, "POST", "/analysis/runs", { instance_id: otherInstance!.id }),
    404,
  );
  assertError(await call(viewerKey.key, "GET", `/analysis/catalog?org_id=${other.orgId}`), 404);
});

Deno.test("a viewer key cannot start a run (403); an analyst key can", async () => {
  assertError(
    await call(viewerKey.key, "POST", "/analysis/runs", { instance_id: instanceId }),
    403,
    "insufficient_role",
  );
  assertError(await call(viewerKey.key, "POST", `/instances/${instanceId}/sync`, {}), 403);
  const started = await call(analystKey.key, "POST", "/analysis/runs", { instance_id: instanceId });
  assert.equal(started.status, 202, started.text);
  const [run] = await sql<{ requested_by: string | null }[]>`
    select requested_by from public.analysis_runs where id = ${started.body.data.run.id}`;
  assert.equal(run!.requested_by, null, "a key is not a user");
  await bed.services.tasks.drain({ maxDeliveries: 5000 });
  const job = await call(analystKey.key, "GET", `/tasks/jobs/${started.body.data.job.id}`);
  assert.equal(job.status, 200, job.text);
});

Deno.test("keys are refused on user-only routes: member management, keys, profile, settings", async () => {
  for (
    const [method, path, body] of [
      ["GET", `/organizations`],
      ["GET", `/organizations/${orgId}`],
      ["GET", `/organizations/${orgId}/members`],
      ["POST", `/organizations/${orgId}/invitations`, { email: "x@example.com", role: "viewer" }],
      ["GET", `/organizations/${orgId}/api-keys`],
      ["POST", `/organizations/${orgId}/api-keys`, { name: "k", role: "viewer" }],
      ["PUT", `/analysis/findings/${crypto.randomUUID()}/triage`, { state: "under_review" }],
    ] as [string, string, unknown?][]
  ) {
    assertError(await call(analystKey.key, method, path, body), 403, "api_key_not_allowed");
  }
});

Deno.test("a wrong secret for a real key id is 401, like any unknown key", async () => {
  const forged = `${viewerKey.api_key.prefix}_${"A".repeat(43)}`;
  assertError(await call(forged, "GET", `/instances?org_id=${orgId}`), 401, "invalid_api_key");
  assertError(
    await call("ciq_live_nope", "GET", `/instances?org_id=${orgId}`),
    401,
    "invalid_api_key",
  );
});

Deno.test("admins only create viewer or analyst keys with a future expiry", async () => {
  const path = `/organizations/${orgId}/api-keys`;
  assertError(await call(owner.token, "POST", path, { name: "a", role: "admin" }), 400);
  assertError(
    await call(owner.token, "POST", path, {
      name: "a",
      role: "viewer",
      expires_at: "2020-01-01T00:00:00Z",
    }),
    400,
    "invalid_expiry",
  );
  assertError(await call(viewerUser.token, "POST", path, { name: "a", role: "viewer" }), 403);
  assertError(await call(other.token, "POST", path, { name: "a", role: "viewer" }), 404);
});

Deno.test("an expired key is refused with 401", async () => {
  const { key, api_key } = await createKey("viewer", {
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  });
  assert.equal((await call(key, "GET", `/instances?org_id=${orgId}`)).status, 200);
  await sql`update public.api_keys set expires_at = now() - interval '1 second' where id = ${api_key.id}`;
  assertError(await call(key, "GET", `/instances?org_id=${orgId}`), 401, "api_key_expired");
  const list = await call(owner.token, "GET", `/organizations/${orgId}/api-keys`);
  assert.equal(list.body.data.find((k: { id: string }) => k.id === api_key.id).status, "expired");
});

Deno.test("a revoked key is refused at once, and the database admits it nowhere either", async () => {
  const { key, api_key } = await createKey("analyst");
  assert.equal((await call(key, "GET", `/analysis/findings?run_id=${runId}`)).status, 200);
  const revoked = await call(
    owner.token,
    "POST",
    `/organizations/${orgId}/api-keys/${api_key.id}/revoke`,
  );
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.body.data.status, "revoked");
  assertError(await call(key, "GET", `/analysis/findings?run_id=${runId}`), 401, "api_key_revoked");
  assertError(await call(key, "POST", "/analysis/runs", { instance_id: instanceId }), 401);
  // Claims of the revoked key, as a request that raced the revocation would carry: RLS admits nothing.
  const rows = await bed.tdb.db.asTenant(
    {
      sub: null,
      role: "authenticated",
      ciq_actor: "api_key",
      ciq_api_key: api_key.id,
      ciq_org_id: orgId,
    },
    (tx) => tx`select id from public.instances`,
  );
  assert.equal(rows.length, 0);
  // Revoking again changes nothing; the first revocation time stays.
  const again = await call(
    owner.token,
    "POST",
    `/organizations/${orgId}/api-keys/${api_key.id}/revoke`,
  );
  assert.equal(again.body.data.revoked_at, revoked.body.data.revoked_at);
});

Deno.test("key claims naming another organization than the key's get nothing from RLS", async () => {
  const rows = await bed.tdb.db.asTenant(
    {
      sub: null,
      role: "authenticated",
      ciq_actor: "api_key",
      ciq_api_key: viewerKey.api_key.id,
      ciq_org_id: other.orgId!,
    },
    (tx) => tx`select id from public.instances`,
  );
  assert.equal(rows.length, 0);
});

Deno.test("a user token cannot pose as a key: ciq_ claims in a token are dropped", async () => {
  // A member of another organization, claiming to be this organization's key.
  const forged = await bed.auth.mint(other.id, {
    claims: { ciq_actor: "api_key", ciq_api_key: viewerKey.api_key.id, ciq_org_id: orgId },
  });
  assertError(await call(forged, "GET", `/instances?org_id=${orgId}`), 404);
});

Deno.test("each key has its own rate limit; one key over budget does not stop another", async () => {
  // A tight budget on its own app (and its own in-process counters).
  const limited = createAnalysisApp(
    createTestServices(bed.tdb.db, bed.auth, { RATE_LIMIT_PER_MINUTE: "2" }),
  );
  const get = async (key: string) => {
    const res = await limited.request(`http://localhost/analysis/runs/${runId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    await res.body?.cancel();
    return res;
  };
  assert.equal((await get(viewerKey.key)).status, 200);
  assert.equal((await get(viewerKey.key)).status, 200);
  const over = await get(viewerKey.key);
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get("retry-after")) >= 1);
  assert.equal((await get(analystKey.key)).status, 200, "the other key keeps its budget");
});

Deno.test("the plan's key limit counts live keys: a trial's second key is refused with 402", async () => {
  const trial = await bed.auth.createUser(bed.tdb.db, { orgName: "Trial Keys" });
  const create = () =>
    call(trial.token, "POST", `/organizations/${trial.orgId}/api-keys`, {
      name: "ci",
      role: "viewer",
    });
  const first = await create();
  assert.equal(first.status, 201, first.text);
  const refused = await create();
  assertError(refused, 402, "plan_limit_reached");
  assert.equal(refused.body.error.details.limit, "api_keys");
  assert.equal(refused.body.error.details.upgrade_to, "basic");
  // Revoking the live key frees its place.
  const revoked = await call(
    trial.token,
    "POST",
    `/organizations/${trial.orgId}/api-keys/${first.body.data.api_key.id}/revoke`,
  );
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal((await create()).status, 201);
});

Deno.test("GET /:orgId/api-keys pages newest first: pages of 2 cover every key once; bad cursors are 400", async () => {
  await createKey("viewer", { name: "third key" });
  const path = `/organizations/${orgId}/api-keys`;
  const whole = await call(owner.token, "GET", `${path}?limit=200`);
  assert.equal(whole.body.next_cursor, null);
  const all = whole.body.data.map((k: { id: string }) => k.id);
  assert.ok(all.length >= 3);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await call(owner.token, "GET", `${path}?limit=2${query}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.data.length <= 2);
    seen.push(...res.body.data.map((k: { id: string }) => k.id));
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all);
  const first = await call(owner.token, "GET", `${path}?limit=2`);
  assertError(
    await call(owner.token, "GET", `${path}?cursor=${first.body.next_cursor.slice(0, -3)}x`),
    400,
    "invalid_cursor",
  );
  assertError(await call(owner.token, "GET", `${path}?limit=201`), 400);
});
