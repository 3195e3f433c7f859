// Every function starts alone, as the Supabase Edge Runtime (or one container
// per function) starts it: its own process, its `index.ts`, only the variables
// it needs (no inherited environment). Each must answer /health and /ready and
// serve an authenticated route to a signed-in owner.
import assert from "node:assert/strict";
import { buildFunctionApps, WALK_DATABASE, WALK_ENV } from "../scripts/api/apps.ts";
import {
  childEnv,
  createTestAuth,
  createTestDatabase,
  createTestServices,
  freePort,
  functionEnv,
  liveSessionToken,
  waitUntilServing,
} from "../scripts/testing/mod.ts";
import { listRoutes } from "../shared/http/mod.ts";

/**
 * What each function needs besides the common variables (database, token
 * keys). docs/operations.md lists the same; a new function must be added here.
 */
const FUNCTION_ENV: Record<string, Record<string, string>> = {
  analysis: {},
  audit: {},
  billing: {},
  dashboard: {},
  insights: {},
  instances: { CREDENTIALS_KEYS: `k1:${btoa("0123456789abcdef0123456789abcdef")}` },
  notifications: {},
  organizations: {},
  reports: {},
  widgets: {},
  tasks: {
    QSTASH_CURRENT_SIGNING_KEY: "sig_standalone_current",
    QSTASH_NEXT_SIGNING_KEY: "sig_standalone_next",
    PUBLIC_URL: "http://127.0.0.1:9",
  },
};

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const owner = await auth.createUser(tdb.db, { orgName: "Standalone Org" });
const token = await liveSessionToken(auth, tdb.db, owner);
// PGlite serves one connection at a time: hand it to the function processes.
await tdb.db.close();
Deno.test.afterAll(() => tdb.close());

const apps = await buildFunctionApps(createTestServices(WALK_DATABASE, auth, WALK_ENV));

/** The permissions the container image grants (its CMD), so what is tested is what ships. */
async function imagePermissionFlags(): Promise<string[]> {
  const dockerfile = await Deno.readTextFile(new URL("../Dockerfile", import.meta.url));
  const cmd = dockerfile.split("\n").find((line) => line.startsWith("CMD "));
  assert.ok(cmd, "the Dockerfile has a CMD");
  const args = JSON.parse(cmd.slice(4)) as string[];
  return args.filter((arg) => arg.startsWith("--allow-"));
}
const PERMISSIONS = await imagePermissionFlags();

/** GET routes a signed-in owner can call with nothing but the organization id. */
function orgScopedReads(name: string): string[] {
  const app = apps.find((a) => a.name === name)!.app;
  return listRoutes(app).declared
    .filter((r) => r.method === "GET" && ["user", "api_key"].includes(r.declaration.auth))
    .filter((r) => !/:(?!orgId\b)\w+/.test(r.path))
    .map((r) => `${r.path.replace(":orgId", owner.orgId!)}?org_id=${owner.orgId}`);
}

Deno.test("every function has its environment listed", () => {
  assert.deepEqual(Object.keys(FUNCTION_ENV).sort(), apps.map((a) => a.name));
});

for (const { name } of apps) {
  Deno.test(`functions/${name} starts alone from its index.ts`, async () => {
    const port = freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, `functions/${name}/index.ts`],
      cwd: new URL("..", import.meta.url),
      clearEnv: true,
      env: childEnv({
        ...functionEnv({ port, databaseUrl: tdb.url, jwks: auth.jwks }),
        ...FUNCTION_ENV[name],
      }),
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(`${base}/${name}/health`, child);
      const ready = await fetch(`${base}/${name}/ready`);
      assert.deepEqual(await ready.json(), { status: "ready" });

      const served: string[] = [];
      for (const path of orgScopedReads(name)) {
        const res = await fetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await res.body?.cancel();
        assert.ok(res.status < 500, `${path} answered ${res.status}`);
        if (res.status === 200) served.push(path);
      }
      assert.ok(served.length > 0, `functions/${name} served no authenticated read`);

      const anonymous = await fetch(`${base}${orgScopedReads(name)[0]}`);
      await anonymous.body?.cancel();
      assert.equal(anonymous.status, 401);
    } catch (error) {
      child.kill("SIGTERM");
      await child.status;
      throw new Error(`${(error as Error).message}\n--- stderr ---\n${await stderr}`);
    }
    child.kill("SIGTERM");
    await child.status;
    await stderr;
  });
}
