// The dashboard's cache follows the changes people make through the other
// functions: a suppression, a triage change, an instance removed. Each test
// warms the cache first, so a stale answer would show.
import assert from "node:assert/strict";
import { createAnalysisApp } from "../analysis/app.ts";
import { createInstancesApp } from "../instances/app.ts";
import { C1, createPostureFixture } from "../../shared/posture/_fixture.ts";
import { createDashboardApp } from "./app.ts";

const fx = await createPostureFixture();
Deno.test.afterAll(() => fx.close());
const dashboard = createDashboardApp(fx.services);
const analysis = createAnalysisApp(fx.services);
const instances = createInstancesApp(fx.services);

async function call(
  app: { request: typeof dashboard.request },
  method: string,
  url: string,
  body?: unknown,
) {
  const headers: Record<string, string> = { authorization: `Bearer ${fx.owner.token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    cache: res.headers.get("x-cache"),
  };
}

async function warm() {
  await call(dashboard, "GET", `/dashboard?org_id=${fx.orgId}`);
  const again = await call(dashboard, "GET", `/dashboard?org_id=${fx.orgId}`);
  assert.equal(again.cache, "hit");
  return again.body.data;
}

Deno.test("muting a check on an instance shows on the next dashboard read", async () => {
  assert.equal((await warm()).overall.score, 35);
  const res = await call(analysis, "POST", "/analysis/suppressions", {
    scope: "check_instance",
    check_id: C1,
    instance_id: fx.i2,
    reason: "Accepted on the test instance",
    owner_id: fx.owner.id,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const after = await call(dashboard, "GET", `/dashboard?org_id=${fx.orgId}`);
  assert.equal(after.cache, "miss");
  // test's failing C1 leaves both sums: 150 / 360 → ⌈41.7⌉ = 42.
  assert.equal(after.body.data.overall.score, 42);
  await warm();
  const revoked = await call(analysis, "POST", `/analysis/suppressions/${res.body.data.id}/revoke`);
  assert.equal(revoked.status, 200);
  assert.equal(
    (await call(dashboard, "GET", `/dashboard?org_id=${fx.orgId}`)).body.data.overall.score,
    35,
  );
});

Deno.test("a triage change invalidates the cached dashboard", async () => {
  await warm();
  const res = await call(analysis, "PUT", `/analysis/findings/${fx.f.f3a}/triage`, {
    state: "remediating",
    note: "Ticket CHG0001",
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const after = await call(dashboard, "GET", `/dashboard?org_id=${fx.orgId}`);
  assert.equal(after.cache, "miss");
  assert.equal(after.body.data.activity[0].status, "remediating");
});

Deno.test("removing an instance invalidates the cached dashboard", async () => {
  assert.equal((await warm()).instances_total, 2);
  const res = await call(instances, "DELETE", `/instances/${fx.i2}`);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const after = (await call(dashboard, "GET", `/dashboard?org_id=${fx.orgId}`)).body.data;
  assert.equal(after.instances_total, 1);
  assert.equal(after.overall.score, 54);
});
