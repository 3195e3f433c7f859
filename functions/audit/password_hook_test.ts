// Failed sign-ins through Supabase Auth's password verification attempt hook,
// end to end: the real supabase-js client signs in with a wrong password at
// the local auth stand-in, which calls the audit function's hook (signed per
// Standard Webhooks); the failure lands in the audit trail as a security
// event, and after AUTH_LOCK_AFTER_FAILURES failures the hook locks the
// account — even the right password is refused until the window passes.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { Webhook } from "standardwebhooks";
import { createAuthServer, DEFAULT_RATE_LIMITS } from "../../scripts/auth_server/mod.ts";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { ACCOUNT_LOCKED, SIGN_IN_FAILED } from "../../shared/audit/password_hook.ts";
import { createAuditApp } from "./app.ts";

const SECRET = `v1,whsec_${btoa("a test secret for the password hook!")}`;
const tdb = await createTestDatabase();
const testAuth = await createTestAuth();
const services = createTestServices(tdb.db, testAuth, {
  AUTH_HOOK_SECRET: SECRET,
  AUTH_LOCK_AFTER_FAILURES: "3",
});
const auditApp = createAuditApp(services);
const hookServer = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (req) => auditApp.fetch(req),
);
const hookUri = `http://127.0.0.1:${hookServer.addr.port}/audit/hooks/password-verification`;

let authHandler = (_req: Request) => Promise.resolve(new Response("starting", { status: 503 }));
const authServer = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (req) => authHandler(req),
);
const authUrl = `http://127.0.0.1:${authServer.addr.port}`;
const standIn = await createAuthServer({
  sql: tdb.db.sql,
  siteUrl: authUrl,
  rateLimits: Object.fromEntries(
    Object.keys(DEFAULT_RATE_LIMITS).map((a) => [a, { limit: 10_000, windowSeconds: 60 }]),
  ),
  passwordHook: { uri: hookUri, secrets: SECRET },
});
authHandler = (req) => standIn.fetch(req);
const supabase = createClient(authUrl, standIn.anonKey, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
});
Deno.test.afterAll(async () => {
  await authServer.shutdown();
  await hookServer.shutdown();
  await tdb.close();
});

const PASSWORD = "correct horse battery staple";

async function signUp(org: string) {
  const email = `hook-${crypto.randomUUID()}@example.com`;
  const { data, error } = await supabase.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { organization_name: org } },
  });
  assert.equal(error, null);
  const [m] = await tdb.db.sql<{ org_id: string }[]>`
    select org_id from public.memberships where user_id = ${data.user!.id}`;
  return { email, userId: data.user!.id, orgId: m!.org_id };
}

const securityEvents = (orgId: string, userId: string) =>
  tdb.db.sql<{ action: string; category: string }[]>`
    select action, category from public.audit_log
    where org_id = ${orgId} and target_id = ${userId} and action like 'auth.%' order by seq`;

Deno.test("a wrong password through supabase-js is a security event in the user's organization", async () => {
  const { email, userId, orgId } = await signUp("Hook Org");
  const { error } = await supabase.auth.signInWithPassword({ email, password: "wrong password!" });
  assert.equal(error?.message, "Invalid login credentials");
  assert.deepEqual([...await securityEvents(orgId, userId)], [
    { action: SIGN_IN_FAILED, category: "security" },
  ]);
  const ok = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(ok.error, null);
  assert.equal((await securityEvents(orgId, userId)).length, 1, "a good sign-in adds nothing");
});

Deno.test("after three failures the account is locked: the right password is refused too", async () => {
  const { email, userId, orgId } = await signUp("Locked Org");
  for (let i = 0; i < 3; i++) {
    await supabase.auth.signInWithPassword({ email, password: `wrong ${i}` });
  }
  const locked = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
  assert.match(locked.error?.message ?? "", /locked/);
  assert.deepEqual((await securityEvents(orgId, userId)).map((e) => e.action), [
    SIGN_IN_FAILED,
    SIGN_IN_FAILED,
    SIGN_IN_FAILED,
    ACCOUNT_LOCKED,
  ]);
});

Deno.test("the hook refuses an unsigned or wrongly signed call, and a bad payload", async () => {
  const body = JSON.stringify({ user_id: crypto.randomUUID(), valid: false });
  const post = (headers: Record<string, string>, payload = body) =>
    auditApp.request(hookUri, { method: "POST", headers, body: payload });
  assert.equal((await post({ "content-type": "application/json" })).status, 401);
  const other = new Webhook(btoa("another secret, not the configured one"));
  const at = new Date();
  const forged = await post({
    "webhook-id": "msg_1",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": other.sign("msg_1", at, body),
  });
  assert.equal(forged.status, 401);
  const right = new Webhook(SECRET.replace(/^v1,/, ""));
  const bad = JSON.stringify({ user: "nobody" });
  const invalid = await post({
    "webhook-id": "msg_2",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": right.sign("msg_2", at, bad),
  }, bad);
  assert.equal(invalid.status, 400);
  const unknown = await post({
    "webhook-id": "msg_3",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": right.sign("msg_3", at, body),
  });
  assert.deepEqual(await unknown.json(), { decision: "continue" }, "a user in no organization");
});
