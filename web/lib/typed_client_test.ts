import assert from "node:assert/strict";
import { createApiClient } from "./api_client.ts";
import { resolveRoute, typedClient } from "./typed_client.ts";

function recorder() {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const api = createApiClient({
    baseUrl: "https://app.test/functions/v1",
    getAccessToken: () => Promise.resolve("t"),
    refreshAccessToken: () => Promise.resolve(null),
    onUnauthorized: () => {},
    fetch: (input, init) => {
      calls.push({
        method: init?.method ?? "GET",
        url: `${input}`,
        body: init?.body ? JSON.parse(`${init.body}`) : undefined,
      });
      return Promise.resolve(Response.json({ data: { ok: true } }));
    },
  });
  return { call: typedClient(api), calls };
}

const runId = "7b0c0c7e-8a7a-4c55-9a31-0c6a8e1f2a10";
const instanceId = "2f3e1d4c-1111-4c55-9a31-0c6a8e1f2a10";

Deno.test("call builds method, URL, query and body from the declared route", async () => {
  const { call, calls } = recorder();
  await call("GET /analysis/runs/:runId", { params: { runId } });
  await call("GET /analysis/runs", { query: { instance_id: instanceId, limit: 20 } });
  await call("POST /analysis/runs", {
    body: { instance_id: instanceId, scope: { type: "all" } },
  });
  await call("GET /dashboard", { query: { org_id: instanceId } });
  await call("DELETE /instances/:id", { params: { id: instanceId } });
  assert.deepEqual(calls, [
    {
      method: "GET",
      url: `https://app.test/functions/v1/analysis/runs/${runId}`,
      body: undefined,
    },
    {
      method: "GET",
      url: `https://app.test/functions/v1/analysis/runs?instance_id=${instanceId}&limit=20`,
      body: undefined,
    },
    {
      method: "POST",
      url: "https://app.test/functions/v1/analysis/runs",
      body: { instance_id: instanceId, scope: { type: "all" } },
    },
    {
      method: "GET",
      url: `https://app.test/functions/v1/dashboard?org_id=${instanceId}`,
      body: undefined,
    },
    {
      method: "DELETE",
      url: `https://app.test/functions/v1/instances/${instanceId}`,
      body: undefined,
    },
  ]);
});

Deno.test("path params are encoded and required", () => {
  assert.deepEqual(resolveRoute("GET /analysis/catalog/:checkId", { checkId: "a b/c" }), {
    method: "GET",
    path: "/analysis/catalog/a%20b%2Fc",
  });
  assert.throws(() => resolveRoute("GET /analysis/runs/:runId", {}));
});

Deno.test("the declarations type the input and the response", async () => {
  const { call } = recorder();
  const never = false as boolean;
  if (never) {
    // @ts-expect-error: the body of POST /analysis/runs needs instance_id and scope
    await call("POST /analysis/runs", { body: { instance: instanceId } });
    // @ts-expect-error: no such route
    await call("GET /analysis/nope");
    // @ts-expect-error: the params are required
    await call("GET /analysis/runs/:runId", {});
    const run = await call("GET /analysis/runs/:runId", { params: { runId } });
    const status: string = run.data.status;
    const created: string = run.data.created_at;
    // @ts-expect-error: the response has no such field
    run.data.nope;
    assert.deepEqual([status, created].length, 2);
  }
});
