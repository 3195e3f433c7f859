import assert from "node:assert/strict";
import { z } from "zod";
import { createTestAuth, createTestServices } from "../../scripts/testing/mod.ts";
import type { Database } from "../db/mod.ts";
import { createFunctionApp, type FunctionAppOptions } from "./app.ts";
import { HttpError } from "./errors.ts";
import { createRouteGroup, dataOf } from "./route.ts";

const auth = await createTestAuth();
const db = { ping: () => Promise.resolve() } as unknown as Database;
const BASE = "http://localhost/demo";

function build(env: Record<string, string> = {}, options: FunctionAppOptions = {}) {
  const app = createFunctionApp("demo", createTestServices(db, auth, env), options);
  const routes = createRouteGroup()
    .on({
      method: "get",
      path: "/things/:id",
      summary: "One thing",
      auth: "user",
      permission: "instances.read",
      params: z.object({ id: z.uuid() }),
      query: z.object({ shape: z.enum(["good", "bad", "teapot"]).default("good") }),
      responses: { 200: { description: "The thing", schema: dataOf(z.object({ id: z.uuid() })) } },
    }, (c, { params, query }) => {
      if (query.shape === "bad") return c.json({ data: { id: 42 } });
      if (query.shape === "teapot") return c.json({ data: { id: params.id } }, 201);
      return c.json({ data: { id: params.id }, who: c.get("principal") });
    })
    .on({
      method: "post",
      path: "/things",
      summary: "Make a thing",
      auth: "user",
      body: z.object({ name: z.string().min(1) }).strict(),
      bodyOptional: true,
      responses: { 200: { description: "Echo", schema: z.object({ name: z.string() }) } },
    }, (c, { body }) => c.json({ name: body?.name ?? "(none)" }))
    .on({
      method: "get",
      path: "/stream",
      summary: "A stream",
      auth: "user",
      tokenInQuery: true,
      responses: { 200: { description: "Events", contentType: "text/event-stream" } },
    }, (c) => c.text("data: 1\n\n"))
    .on({
      method: "get",
      path: "/keyed",
      summary: "For users and API keys",
      auth: "api_key",
      responses: { 200: { description: "Empty" } },
    }, (c) => c.body(null, 200))
    .on({
      method: "post",
      path: "/deliveries",
      summary: "QStash only",
      auth: "worker",
      responses: { 200: { description: "Done", schema: z.object({ from: z.unknown() }) } },
    }, (c) => c.json({ from: c.get("principal") }));
  app.route("/", routes.app);
  // Added without a declaration, after everything else: still needs a user.
  app.get("/forgotten", (c) => c.json({ secret: true }));
  return app;
}

async function call(
  app: ReturnType<typeof build>,
  path: string,
  init: RequestInit & { token?: string } = {},
) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const res = await app.request(`${BASE}${path}`, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  // deno-lint-ignore no-explicit-any
  return { status: res.status, body: body as any };
}

const ID = crypto.randomUUID();

Deno.test("gate: a route without a declaration needs a user, whatever the app.use order", async () => {
  const app = build();
  const anonymous = await call(app, "/forgotten");
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error.code, "missing_token");
  const token = await auth.mint(crypto.randomUUID());
  assert.equal((await call(app, "/forgotten", { token })).status, 200);
});

Deno.test("gate: user routes take a bearer token and put the principal on the context", async () => {
  const app = build();
  assert.equal((await call(app, `/things/${ID}`)).status, 401);
  assert.equal((await call(app, `/things/${ID}`, { token: "junk" })).status, 401);
  const userId = crypto.randomUUID();
  const res = await call(app, `/things/${ID}`, { token: await auth.mint(userId) });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.who, { kind: "user", userId });
});

Deno.test("gate: only routes declared with tokenInQuery accept ?access_token=", async () => {
  const app = build();
  const token = await auth.mint(crypto.randomUUID());
  assert.equal((await call(app, `/stream?access_token=${token}`)).status, 200);
  assert.equal((await call(app, `/things/${ID}?access_token=${token}`)).status, 401);
});

Deno.test("gate: API-key routes also take a user's token; a malformed key is 401 everywhere", async () => {
  const app = build();
  const user = await call(app, "/keyed", { token: await auth.mint(crypto.randomUUID()) });
  assert.equal(user.status, 200);
  for (const path of ["/keyed", `/things/${ID}`]) {
    const res = await call(app, path, { token: "ciq_live_not-a-key" });
    assert.equal(res.status, 401, path);
    assert.equal(res.body.error.code, "invalid_api_key", path);
  }
});

Deno.test("gate: worker routes need the worker verifier to accept the delivery", async (t) => {
  await t.step("without a verifier, nobody gets in (not even a user)", async () => {
    const app = build();
    const token = await auth.mint(crypto.randomUUID());
    const res = await call(app, "/deliveries", { method: "POST", token });
    assert.equal(res.status, 401);
  });
  const app = build({}, {
    worker: (c) => {
      if (c.req.header("upstash-signature") !== "valid") {
        return Promise.reject(new HttpError(401, "Not signed", { code: "invalid_signature" }));
      }
      return Promise.resolve({ messageId: "msg_1" });
    },
  });
  await t.step("a bad signature is refused", async () => {
    const res = await call(app, "/deliveries", {
      method: "POST",
      headers: { "upstash-signature": "forged" },
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "invalid_signature");
  });
  await t.step("a verified delivery runs as the worker", async () => {
    const res = await call(app, "/deliveries", {
      method: "POST",
      headers: { "upstash-signature": "valid" },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.from, { kind: "worker", messageId: "msg_1" });
  });
});

Deno.test("/metrics needs the scrape credential", async (t) => {
  await t.step("refused to everyone when METRICS_TOKEN is not set", async () => {
    const app = build();
    const token = await auth.mint(crypto.randomUUID());
    const res = await call(app, "/metrics", { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "metrics_disabled");
  });
  const app = build({ METRICS_TOKEN: "0123456789abcdef-metrics" });
  await t.step("refused without it, with a wrong one, and with a user's token", async () => {
    assert.equal((await call(app, "/metrics")).status, 401);
    assert.equal((await call(app, "/metrics", { token: "0123456789abcdef-metricz" })).status, 401);
    const user = await auth.mint(crypto.randomUUID());
    assert.equal((await call(app, "/metrics", { token: user })).status, 401);
  });
  await t.step("served with it", async () => {
    const res = await call(app, "/metrics", { token: "0123456789abcdef-metrics" });
    assert.equal(res.status, 200);
    assert.match(String(res.body), /ciq_http_requests_total/);
  });
});

Deno.test("declared input is validated before the handler, with the field named", async () => {
  const app = build();
  const token = await auth.mint(crypto.randomUUID());
  const badId = await call(app, "/things/nope", { token });
  assert.equal(badId.status, 400);
  assert.equal(badId.body.error.details[0].path, "id");
  const badQuery = await call(app, `/things/${ID}?shape=round`, { token });
  assert.equal(badQuery.status, 400);
  assert.equal(badQuery.body.error.details[0].path, "shape");
  const json = { "content-type": "application/json" };
  const badBody = await call(app, "/things", {
    method: "POST",
    token,
    headers: json,
    body: JSON.stringify({ name: "" }),
  });
  assert.equal(badBody.status, 400);
  assert.equal(badBody.body.error.details[0].path, "name");
  const none = await call(app, "/things", { method: "POST", token });
  assert.deepEqual(none.body, { name: "(none)" });
  const named = await call(app, "/things", {
    method: "POST",
    token,
    headers: json,
    body: JSON.stringify({ name: "x" }),
  });
  assert.deepEqual(named.body, { name: "x" });
});

Deno.test("a response that does not match its declaration fails (CHECK_RESPONSES)", async (t) => {
  const token = await auth.mint(crypto.randomUUID());
  const app = build();
  await t.step("a body of the wrong shape", async () => {
    const res = await call(app, `/things/${ID}?shape=bad`, { token });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, "response_mismatch");
    assert.equal(res.body.error.details.problems[0].path, "data.id");
  });
  await t.step("an undeclared status", async () => {
    const res = await call(app, `/things/${ID}?shape=teapot`, { token });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.details.status, 201);
  });
  await t.step("left alone when the check is off (production)", async () => {
    const production = build({ CHECK_RESPONSES: "false" });
    const res = await call(production, `/things/${ID}?shape=bad`, { token });
    assert.equal(res.status, 200);
  });
});

Deno.test("/openapi.json is public and describes every declared route", async () => {
  const app = build();
  const res = await call(app, "/openapi.json");
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, "3.1.0");
  const thing = res.body.paths["/demo/things/{id}"].get;
  assert.equal(thing["x-permission"], "instances.read");
  assert.deepEqual(thing.security, [{ bearer: [] }]);
  assert.deepEqual(thing.parameters.map((p: { name: string; in: string }) => [p.name, p.in]), [
    ["id", "path"],
    ["shape", "query"],
  ]);
  assert.equal(res.body.paths["/demo/things"].post.requestBody.required, false);
  assert.deepEqual(res.body.paths["/demo/health"].get.security, []);
  assert.equal(res.body.paths["/demo/forgotten"], undefined);
});
