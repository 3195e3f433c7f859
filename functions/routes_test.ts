// Walks every route of every function app (functions/*/app.ts): each must carry
// a declaration, each non-public one must refuse a caller without credentials,
// and the declarations must cover the permission matrix.
import assert from "node:assert/strict";
import { buildFunctionApps, WALK_DATABASE, WALK_ENV } from "../scripts/api/apps.ts";
import { createTestAuth, createTestServices } from "../scripts/testing/mod.ts";
import { listRoutes } from "../shared/http/mod.ts";
import { ACTIONS, minimumRole } from "../shared/permissions/mod.ts";

const auth = await createTestAuth();
// Refusals happen before any handler runs, so no query reaches the database.
const services = createTestServices(WALK_DATABASE, auth, {
  ...WALK_ENV,
  METRICS_TOKEN: "routes-test-scrape-credential",
});
const apps = await buildFunctionApps(services);

/** A concrete URL for a route pattern: every path parameter becomes a UUID. */
function concrete(path: string): string {
  return `http://localhost${path.replace(/:[A-Za-z0-9_]+/g, crypto.randomUUID())}`;
}

Deno.test("every function app is found", () => {
  assert.deepEqual(apps.map((a) => a.name), [
    "analysis",
    "audit",
    "billing",
    "dashboard",
    "insights",
    "instances",
    "notifications",
    "organizations",
    "reports",
    "tasks",
    "widgets",
  ]);
});

Deno.test("every route of every function app has a declaration", () => {
  for (const { name, app } of apps) {
    const { declared, undeclared } = listRoutes(app);
    assert.deepEqual(undeclared, [], `functions/${name} has routes without a declaration`);
    assert.ok(declared.length > 4, `functions/${name} declares its routes`);
  }
});

Deno.test("every non-public route answers 401 without credentials", async (t) => {
  for (const { name, app } of apps) {
    for (const { method, path, declaration } of listRoutes(app).declared) {
      if (declaration.auth === "public") continue;
      await t.step(`${method} ${path} (${declaration.auth})`, async () => {
        const res = await app.request(concrete(path), {
          method,
          headers: { "content-type": "application/json" },
          body: method === "GET" ? undefined : "{}",
        });
        const body = await res.json();
        assert.equal(res.status, 401, `functions/${name}: ${JSON.stringify(body)}`);
        assert.equal(typeof body.error.message, "string");
      });
    }
  }
});

Deno.test("user routes refuse a token that is not valid", async () => {
  // A valid token with another subject spliced in: the signature no longer matches.
  const [header, , signature] = (await auth.mint(crypto.randomUUID())).split(".");
  const [, payload] = (await auth.mint(crypto.randomUUID())).split(".");
  const forged = `${header}.${payload}.${signature}`;
  for (const { app } of apps) {
    for (const { method, path, declaration } of listRoutes(app).declared) {
      if (declaration.auth !== "user" && declaration.auth !== "api_key") continue;
      const res = await app.request(concrete(path), {
        method,
        headers: { authorization: `Bearer ${forged}` },
      });
      await res.body?.cancel();
      assert.equal(res.status, 401, `${method} ${path}`);
    }
  }
});

Deno.test("user and API-key routes refuse a malformed API key with 401", async () => {
  for (const { app } of apps) {
    for (const { method, path, declaration } of listRoutes(app).declared) {
      if (declaration.auth !== "user" && declaration.auth !== "api_key") continue;
      const res = await app.request(concrete(path), {
        method,
        headers: { authorization: "Bearer ciq_live_0123_not-a-key" },
      });
      const body = await res.json();
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(body.error.code, "invalid_api_key", `${method} ${path}`);
    }
  }
});

Deno.test("API keys reach only organization reads and the analyst actions that start work", () => {
  const doc = Deno.readTextFileSync(new URL("../docs/api-keys.md", import.meta.url));
  const keyed = apps.flatMap(({ name, app }) =>
    listRoutes(app).declared.filter((r) => r.declaration.auth === "api_key")
      .map((r) => ({ name, ...r }))
  );
  assert.ok(keyed.length > 20, "the organization's reads take keys");
  for (const { name, method, path, declaration } of keyed) {
    const where = `${method} ${path}`;
    assert.notEqual(name, "organizations", `${where}: members, settings and keys need a user`);
    assert.ok(!declaration.tokenInQuery, `${where}: keys go in the Authorization header only`);
    const role = declaration.permission ? minimumRole(declaration.permission) : "viewer";
    assert.ok(["viewer", "auditor", "analyst"].includes(role), `${where} needs ${role}`);
    if (method !== "GET") {
      assert.ok(
        ["runs.start", "instances.sync"].includes(declaration.permission ?? ""),
        `${where}: a key's only writes start runs and syncs`,
      );
    }
    assert.ok(doc.includes(`\`${where}\``), `docs/api-keys.md lists ${where}`);
  }
});

Deno.test("public routes are only the operational ones", () => {
  for (const { name, app } of apps) {
    const open = listRoutes(app).declared.filter((r) => r.declaration.auth === "public")
      .map((r) => r.path);
    // Reports: link downloads (the token is the credential) and the pack-signing key.
    // Billing: Stripe's webhooks (the signature over the body is the credential).
    // Organizations: what an invitation link is for (the link's secret is the credential).
    const extra = name === "reports"
      ? [`/${name}/.well-known/jwks.json`, `/${name}/links/:token`]
      : name === "billing"
      ? [`/${name}/webhooks/stripe`]
      : name === "organizations"
      ? [`/${name}/invitations/lookup`]
      : name === "audit"
      // Audit: Supabase Auth's password hook (the Standard Webhooks signature is the credential).
      ? [`/${name}/hooks/password-verification`]
      : name === "notifications"
      // Notifications: the unsubscribe link of member emails (the signed token is the credential).
      ? [`/${name}/unsubscribe`, `/${name}/unsubscribe`]
      : name === "widgets"
      // Widgets: the embed page and its JSON (the embed token is the credential).
      ? [
        `/${name}/embed/:token`,
        `/${name}/embed/:token{ciq_embed_[0-9a-f]{32}_[A-Za-z0-9_-]{43}\\.json}`,
      ]
      : [];
    assert.deepEqual(
      open.sort(),
      [`/${name}/health`, `/${name}/openapi.json`, `/${name}/ready`, ...extra].sort(),
      `functions/${name}`,
    );
  }
});

Deno.test("the routes' permissions cover every action of the matrix", () => {
  const used = new Set(
    apps.flatMap(({ app }) => listRoutes(app).declared.map((r) => r.declaration.permission)),
  );
  // Organization-wide mutes share the suppression routes; the server picks the stricter action.
  // Likewise schedules and recipients share the saved-report routes (reports.generate).
  // Organization dashboards share the dashboard routes (dashboards.personal); shared/ checks
  // dashboards.manage for them.
  const viaOtherRoutes = new Set([
    "suppressions.manage_org_wide",
    "reports.schedule",
    "dashboards.manage",
  ]);
  const unused = ACTIONS.filter((action) => !used.has(action) && !viaOtherRoutes.has(action));
  assert.deepEqual(unused, [], "actions no route declares");
});

Deno.test("each function serves its OpenAPI 3.1 document, covering every declared route", async () => {
  for (const { name, app } of apps) {
    const res = await app.request(`http://localhost/${name}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, "3.1.0");
    const operations = Object.values(doc.paths as Record<string, object>)
      .reduce((n: number, ops) => n + Object.keys(ops).length, 0);
    assert.equal(operations, listRoutes(app).declared.length, `functions/${name}`);
  }
});
