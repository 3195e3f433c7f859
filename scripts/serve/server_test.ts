import assert from "node:assert/strict";
import { WALK_ENV } from "../api/apps.ts";
import { createTestAuth, createTestDatabase, createTestServices } from "../testing/mod.ts";
import { createProductionServer } from "./server.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());

await Deno.mkdir(".cache", { recursive: true });
const webDist = await Deno.makeTempDir({ dir: ".cache", prefix: "web-dist-" });
await Deno.writeTextFile(`${webDist}/index.html`, "<!doctype html><title>ComplianceIQ</title>");
Deno.test.afterAll(() => Deno.remove(webDist, { recursive: true }));

const appConfig = {
  supabaseUrl: "https://project.supabase.co",
  supabaseAnonKey: "anon-key",
  functionsUrl: "https://app.example.com/functions/v1",
};
const authRequests: string[] = [];
const server = createProductionServer(createTestServices(tdb.db, auth, WALK_ENV), {
  webDist,
  appConfig,
  authUpstream: "http://gotrue.internal:9999/",
  fetch: (input) => {
    const req = input as Request;
    authRequests.push(`${req.method} ${req.url}`);
    return Promise.resolve(Response.json({ access_token: "t" }));
  },
});
const get = (path: string) => server.fetch(new Request(`http://localhost${path}`));

Deno.test("every function answers under /functions/v1/<name> on the one port", async () => {
  assert.ok(server.names.includes("organizations") && server.names.includes("tasks"));
  for (const name of server.names) {
    const res = await get(`/functions/v1/${name}/ready`);
    assert.equal(res.status, 200, name);
    assert.deepEqual(await res.json(), { status: "ready" });
  }
});

Deno.test("an unknown function is a 404 in the one error shape", async () => {
  const res = await get("/functions/v1/nope/health");
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, "function_not_found");
});

Deno.test("the web app and its public configuration are served, deep links get index.html", async () => {
  assert.deepEqual(await (await get("/app-config.json")).json(), appConfig);
  const deep = await get("/app/dashboard");
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /<title>ComplianceIQ<\/title>/);
});

Deno.test("the function itself refuses a request without a token", async () => {
  const res = await get("/functions/v1/organizations");
  assert.equal(res.status, 401);
  await res.body?.cancel();
});

Deno.test("/auth/v1 is passed to the self-hosted Auth server's root, as the gateway does", async () => {
  const res = await server.fetch(
    new Request("http://localhost/auth/v1/token?grant_type=password", {
      method: "POST",
      body: JSON.stringify({ email: "a@example.com", password: "x" }),
    }),
  );
  assert.deepEqual(await res.json(), { access_token: "t" });
  assert.deepEqual(authRequests, ["POST http://gotrue.internal:9999/token?grant_type=password"]);
});
