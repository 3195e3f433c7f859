// Outside dev mode, instance URLs must be https and resolve to public addresses
// only, when added, edited or tested. (Dev mode is in app_test.ts.)
import assert from "node:assert/strict";
import { createSnowSimulator } from "../../scripts/snow_sim/mod.ts";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  simulatorFetch,
} from "../../scripts/testing/mod.ts";
import { generateKey } from "../../shared/instances/mod.ts";
import { createInstancesApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());

const sim = createSnowSimulator({ instances: [{ name: "good", users: 50 }] });
const dns: Record<string, string[]> = {
  "good.service-now.com": ["149.96.5.10"],
  "intranet.example.com": ["10.1.2.3"],
  "rebind.example.com": ["149.96.5.10", "169.254.169.254"],
};
const lookups: string[] = [];
const app = createInstancesApp(
  createTestServices(tdb.db, auth, { CREDENTIALS_KEYS: `k:${generateKey()}` }),
  {
    resolve: (host) => {
      lookups.push(host);
      return Promise.resolve(dns[host] ?? []);
    },
    fetch: simulatorFetch(sim),
    client: { sleep: () => Promise.resolve() },
  },
);
const owner = await auth.createUser(tdb.db, { orgName: "Prod mode" });
const credentials = {
  type: "basic",
  username: "complianceiq.integration",
  password: "integration-password",
};

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/instances${path}`, {
    method,
    headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("adding an instance refuses http, private and metadata addresses", async (t) => {
  const cases: [string, string][] = [
    ["http://good.service-now.com", "https_required"],
    ["https://127.0.0.1", "private_address"],
    ["https://[::1]", "private_address"],
    ["https://intranet.example.com", "private_address"],
    ["https://rebind.example.com", "private_address"],
    ["https://169.254.169.254/latest/meta-data", "private_address"],
    ["https://localhost:8443", "private_address"],
    ["https://nowhere.example.com", "unresolvable_host"],
  ];
  for (const [url, code] of cases) {
    await t.step(url, async () => {
      const res = await call("POST", "", { org_id: owner.orgId, name: "x", url, credentials });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
    });
    await t.step(`${url} cannot be tested either`, async () => {
      const res = await call("POST", "/test-connection", { org_id: owner.orgId, url, credentials });
      assert.equal(res.status, 422);
    });
  }
  const [row] = await tdb.db.sql`
    select count(*)::int as n from public.instances where org_id = ${owner.orgId}`;
  assert.equal(row!.n, 0);
});

Deno.test("a bare instance name becomes its service-now.com URL and is checked like any other", async () => {
  lookups.length = 0;
  const res = await call("POST", "", {
    org_id: owner.orgId,
    name: "Good",
    url: "GOOD",
    credentials,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.data.url, "https://good.service-now.com");
  assert.ok(lookups.includes("good.service-now.com"), "the host was resolved");
  assert.equal(res.body.data.status, "healthy");
  const edit = await call("PATCH", `/${res.body.data.id}`, { url: "https://intranet.example.com" });
  assert.equal(edit.status, 422);
  assert.equal(edit.body.error.code, "private_address");
});
