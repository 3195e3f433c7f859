import assert from "node:assert/strict";
import { createApiClient } from "../../lib/api_client.ts";
import { memoryStore } from "../../lib/storage.ts";
import { createOrgModel } from "./org_model.ts";

const org = (id: string, name: string, role = "owner") => ({
  id,
  name,
  slug: name.toLowerCase(),
  plan: "trial",
  subscription_status: "active",
  role,
  created_at: "2026-01-01T00:00:00Z",
});

function api(responses: Response[]) {
  return createApiClient({
    baseUrl: "https://app.test/functions/v1",
    getAccessToken: () => Promise.resolve("t"),
    refreshAccessToken: () => Promise.resolve(null),
    onUnauthorized: () => {},
    fetch: (() =>
      Promise.resolve(responses.shift() ?? new Response(null, { status: 500 }))) as typeof fetch,
  });
}

Deno.test("createOrgModel() restores the organization the user used last, per user", async () => {
  const store = memoryStore({ "ciq.org.u1": "o2" });
  const model = createOrgModel(
    api([Response.json({ data: [org("o1", "Acme"), org("o2", "Beta", "viewer")] })]),
    store,
  );
  await model.load("u1");
  assert.equal(model.status.value, "ready");
  assert.equal(model.current.value?.name, "Beta");
  assert.equal(model.role.value, "viewer");
  model.select("o1");
  assert.equal(store.getItem("ciq.org.u1"), "o1");
  assert.equal(model.current.value?.name, "Acme");
});

Deno.test("createOrgModel() falls back to the first organization and reports load failures", async () => {
  const model = createOrgModel(
    api([Response.json({ data: [org("o1", "Acme")] })]),
    memoryStore({ "ciq.org.u1": "gone" }),
  );
  await model.load("u1");
  assert.equal(model.current.value?.id, "o1");

  const failing = createOrgModel(api([new Response(null, { status: 503 })]), memoryStore());
  await failing.load("u1");
  assert.equal(failing.status.value, "error");
  assert.equal(failing.error.value, "Something went wrong on our side. Try again in a moment.");
});

Deno.test("createOrgModel() adds a created organization and switches to it", async () => {
  const model = createOrgModel(
    api([
      Response.json({ data: [org("o1", "Zeta")] }),
      Response.json({ data: org("o2", "Alpha") }, { status: 201 }),
    ]),
    memoryStore(),
  );
  await model.load("u1");
  await model.create({ name: "Alpha" });
  assert.deepEqual(model.orgs.value.map((o) => o.name), ["Alpha", "Zeta"]);
  assert.equal(model.current.value?.id, "o2");
  model.reset();
  assert.equal(model.current.value, null);
});
