// A signed-out session stops working: the verifier asks auth.sessions (kept by
// the Supabase Auth stand-in exactly as Supabase Auth keeps it) whether the
// token's session is still live.
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { createAuthServer } from "../../scripts/auth_server/mod.ts";
import { createTestDatabase, type TestDatabase } from "../../scripts/testing/mod.ts";
import { loadConfig } from "../env/mod.ts";
import { HttpError } from "../http/errors.ts";
import { verifierFromConfig } from "../runtime/mod.ts";
import { createSessionCheck, createTokenVerifier, type TokenVerifier } from "./mod.ts";

let testDb: TestDatabase;
let url = "";
let anonKey = "";
let clock = Date.now();
let server: Deno.HttpServer<Deno.NetAddr> | undefined;
let verifier: TokenVerifier;

Deno.test.beforeAll(async () => {
  testDb = await createTestDatabase();
  let handler = (_req: Request) => Promise.resolve(new Response("starting", { status: 503 }));
  server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => handler(req));
  url = `http://127.0.0.1:${server.addr.port}`;
  const auth = await createAuthServer({
    sql: testDb.db.sql,
    siteUrl: url,
    now: () => clock,
    refreshTokenReuseIntervalSeconds: 0,
  });
  handler = (req) => auth.fetch(req);
  anonKey = auth.anonKey;
  // As every function builds it, checking the session on every request (TTL 0).
  const config = loadConfig({
    SUPABASE_URL: url,
    SUPABASE_JWKS: JSON.stringify(await auth.jwks()),
    SESSION_CHECK_TTL_MS: "0",
  });
  verifier = verifierFromConfig(config, testDb.db);
});

Deno.test.afterAll(async () => {
  await server?.shutdown();
  await testDb?.close();
});

const client = (): SupabaseClient =>
  createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });

async function signUp() {
  const email = `session-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const { data, error } = await client().auth.signUp({ email, password: "correct-horse-1" });
  assert.equal(error, null);
  return { email, session: data.session! };
}

async function signIn(email: string) {
  const supabase = client();
  const { data, error } = await supabase.auth.signInWithPassword({
    email,
    password: "correct-horse-1",
  });
  assert.equal(error, null);
  return { supabase, session: data.session! };
}

async function refused(token: string): Promise<string> {
  const error = await verifier.verify(token).then(() => null, (e) => e);
  assert.ok(error instanceof HttpError, "the token is refused");
  assert.equal(error.status, 401);
  return error.code;
}

Deno.test("after a local sign-out that session's token is refused; the user's others still work", async () => {
  const { email } = await signUp();
  const laptop = await signIn(email);
  const phone = await signIn(email);
  assert.equal((await verifier.verify(laptop.session.access_token)).email, email);
  assert.equal((await laptop.supabase.auth.signOut({ scope: "local" })).error, null);
  assert.equal(await refused(laptop.session.access_token), "session_revoked");
  assert.equal((await verifier.verify(phone.session.access_token)).email, email);
});

Deno.test("a global sign-out ends every session of the user", async () => {
  const { email } = await signUp();
  const laptop = await signIn(email);
  const phone = await signIn(email);
  assert.equal((await phone.supabase.auth.signOut({ scope: "global" })).error, null);
  assert.equal(await refused(laptop.session.access_token), "session_revoked");
  assert.equal(await refused(phone.session.access_token), "session_revoked");
});

Deno.test("a reused refresh token revokes its session's access tokens", async () => {
  const { email } = await signUp();
  const { supabase, session } = await signIn(email);
  const second = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
  assert.equal(second.error, null);
  const rotated = await supabase.auth.refreshSession({
    refresh_token: second.data.session!.refresh_token,
  });
  assert.equal(rotated.error, null);
  const current = rotated.data.session!;
  assert.ok(await verifier.verify(current.access_token));
  clock += 1_000; // past the reuse interval (0 s here); the first token is two rotations old
  const reused = await client().auth.refreshSession({ refresh_token: session.refresh_token });
  assert.equal(reused.error?.code, "refresh_token_already_used");
  assert.equal(await refused(current.access_token), "session_revoked");
  assert.equal(await refused(session.access_token), "session_revoked");
});

Deno.test("a live answer is reused for the TTL, then the sign-out shows", async () => {
  let now = Date.now();
  const jwksVerifier = createTokenVerifier({
    jwks: await (await fetch(`${url}/auth/v1/.well-known/jwks.json`)).json(),
    sessions: createSessionCheck(testDb.db.sql, { ttlMs: 5_000, now: () => now }),
    now: () => now,
  });
  const { email } = await signUp();
  const { supabase, session } = await signIn(email);
  assert.ok(await jwksVerifier.verify(session.access_token));
  await supabase.auth.signOut({ scope: "local" });
  // Within the TTL the cached answer stands (the hot path asks nothing)…
  now += 4_999;
  assert.ok(await jwksVerifier.verify(session.access_token));
  // …and once it lapses the token is refused, and stays refused.
  now += 2;
  await assert.rejects(jwksVerifier.verify(session.access_token), { code: "session_revoked" });
  await assert.rejects(jwksVerifier.verify(session.access_token), { code: "session_revoked" });
});

Deno.test("a token without a session, or with another user's session, is refused", async () => {
  const { email } = await signUp();
  const other = await signUp();
  const { session } = await signIn(email);
  const check = createSessionCheck(testDb.db.sql, { ttlMs: 0 });
  const sessionId = JSON.parse(atob(session.access_token.split(".")[1]!)).session_id;
  assert.equal(await check.isLive(sessionId, session.user.id), true);
  assert.equal(await check.isLive(sessionId, other.session.user.id), false);
  assert.equal(await check.isLive("not-a-uuid", session.user.id), false);
  assert.equal(await check.isLive(crypto.randomUUID(), session.user.id), false);
});
