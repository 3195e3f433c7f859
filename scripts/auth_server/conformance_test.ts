// Drives the local auth stand-in with the real @supabase/supabase-js over a
// real socket, against a migrated database (PGlite, or DATABASE_URL's server).

import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { createTokenVerifier } from "../../shared/auth/mod.ts";
import { createTestDatabase, type TestDatabase } from "../testing/mod.ts";
import { createMemoryRateLimiter } from "../../shared/http/mod.ts";
import {
  type AuthServer,
  type AuthServerOptions,
  createAuthServer,
  DEFAULT_RATE_LIMITS,
} from "./mod.ts";

/** One stand-in on a real port, with a clock the test can move. */
interface StandIn {
  url: string;
  auth: AuthServer;
  /** Moves the server's clock forward. */
  advance(seconds: number): void;
  /** Puts the server's clock back to real time. */
  resetClock(): void;
  client(options?: { flowType?: "implicit" | "pkce" }): SupabaseClient;
  close(): Promise<void>;
}

async function startStandIn(
  db: TestDatabase,
  options: Partial<AuthServerOptions> = {},
): Promise<StandIn> {
  let offsetMs = 0;
  let handler = (_req: Request) => Promise.resolve(new Response("starting", { status: 503 }));
  const http = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => handler(req),
  );
  const url = `http://127.0.0.1:${http.addr.port}`;
  const auth = await createAuthServer({
    sql: db.db.sql,
    siteUrl: url,
    now: () => Date.now() + offsetMs,
    // This file signs up and in far more often than a person would; the strict
    // defaults have a test of their own below.
    rateLimits: GENEROUS_LIMITS,
    ...options,
  });
  handler = (req) => auth.fetch(req);
  return {
    url,
    auth,
    advance: (seconds) => {
      offsetMs += seconds * 1000;
    },
    resetClock: () => {
      offsetMs = 0;
    },
    client: (clientOptions = {}) =>
      createClient(url, auth.anonKey, {
        auth: {
          persistSession: false,
          autoRefreshToken: false,
          detectSessionInUrl: false,
          flowType: clientOptions.flowType ?? "implicit",
        },
      }),
    close: () => http.shutdown(),
  };
}

let testDb: TestDatabase;
/** Autoconfirm on (the default). */
let open: StandIn;
/** Email confirmation required. */
let confirming: StandIn;

Deno.test.beforeAll(async () => {
  testDb = await createTestDatabase();
  open = await startStandIn(testDb);
  confirming = await startStandIn(testDb, { requireEmailConfirmation: true });
});

Deno.test.afterAll(async () => {
  await open?.close();
  await confirming?.close();
  await testDb?.close();
});

let counter = 0;
function uniqueEmail(label: string): string {
  counter++;
  return `${label}-${counter}-${crypto.randomUUID().slice(0, 8)}@example.test`;
}

const PASSWORD = "correct-horse-1";

async function signedUpUser(stand: StandIn, label: string) {
  const email = uniqueEmail(label);
  const supabase = stand.client();
  const { data, error } = await supabase.auth.signUp({ email, password: PASSWORD });
  assert.equal(error, null);
  assert.ok(data.session, "autoconfirm sign-up returns a session");
  return { email, supabase, session: data.session, userId: data.user!.id };
}

Deno.test("supabase-js signs up, signs in, refreshes, updates, recovers and signs out", async (t) => {
  const email = uniqueEmail("ada");
  const supabase = open.client();
  let userId = "";

  await t.step(
    "signUp() with an organization name creates the user, org and owner membership",
    async () => {
      const { data, error } = await supabase.auth.signUp({
        email,
        password: PASSWORD,
        options: { data: { organization_name: "Acme Compliance", full_name: "Ada Lovelace" } },
      });
      assert.equal(error, null);
      assert.ok(data.session?.access_token);
      assert.ok(data.session.refresh_token);
      assert.equal(data.session.token_type, "bearer");
      assert.equal(data.session.expires_in, 3600);
      userId = data.user!.id;
      assert.equal(data.user!.email, email);
      assert.equal(data.user!.aud, "authenticated");
      assert.equal(data.user!.role, "authenticated");
      assert.ok(data.user!.email_confirmed_at);
      assert.deepEqual(data.user!.app_metadata, { provider: "email", providers: ["email"] });
      assert.equal(data.user!.user_metadata.organization_name, "Acme Compliance");
      assert.equal(data.user!.identities?.length, 1);
      assert.equal(data.user!.identities![0]!.provider, "email");

      const sql = testDb.db.sql;
      const orgs = await sql<{ name: string; role: string }[]>`
      select o.name, m.role::text as role
      from public.organizations o join public.memberships m on m.org_id = o.id
      where m.user_id = ${userId}`;
      assert.deepEqual(orgs.map((o) => ({ ...o })), [{ name: "Acme Compliance", role: "owner" }]);
      const [profile] = await sql<{ email: string; display_name: string }[]>`
      select email, display_name from public.profiles where id = ${userId}`;
      assert.equal(profile?.email, email);
      assert.equal(profile?.display_name, "Ada Lovelace");
      const [stored] = await sql<{ encrypted_password: string }[]>`
      select encrypted_password from auth.users where id = ${userId}`;
      assert.match(stored!.encrypted_password, /^\$2a\$10\$.{53}$/);
      const [identity] = await sql<{ provider_id: string; email: string }[]>`
      select provider_id, email from auth.identities where user_id = ${userId}`;
      assert.equal(identity?.provider_id, userId);
      assert.equal(identity?.email, email);
    },
  );

  let accessToken = "";
  let refreshToken = "";
  await t.step(
    "signInWithPassword() returns a session whose token carries Supabase's claims",
    async () => {
      const { data, error } = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
      assert.equal(error, null);
      accessToken = data.session!.access_token;
      refreshToken = data.session!.refresh_token;
      const header = decodeProtectedHeader(accessToken);
      assert.equal(header.alg, "ES256");
      const jwks = await open.auth.jwks();
      assert.equal(header.kid, jwks.keys[0]!.kid);
      const claims = decodeJwt(accessToken);
      assert.deepEqual(
        Object.keys(claims).sort(),
        [
          "aal",
          "amr",
          "app_metadata",
          "aud",
          "email",
          "exp",
          "iat",
          "is_anonymous",
          "iss",
          "phone",
          "role",
          "session_id",
          "sub",
          "user_metadata",
        ],
      );
      assert.equal(claims.iss, `${open.url}/auth/v1`);
      assert.equal(claims.aud, "authenticated");
      assert.equal(claims.sub, userId);
      assert.equal(claims.role, "authenticated");
      assert.equal(claims.email, email);
      assert.equal(claims.phone, "");
      assert.equal(claims.aal, "aal1");
      assert.equal(claims.is_anonymous, false);
      assert.equal((claims.amr as { method: string }[])[0]!.method, "password");
      assert.equal(claims.exp! - claims.iat!, 3600);
      assert.equal(data.session!.expires_at, claims.exp);

      // The product's own verifier accepts the token against the stand-in's JWKS.
      const verifier = createTokenVerifier({ jwks, issuer: `${open.url}/auth/v1` });
      const verified = await verifier.verify(accessToken);
      assert.equal(verified.sub, userId);
    },
  );

  await t.step("getUser() and getClaims() accept the session", async () => {
    const { data, error } = await supabase.auth.getUser();
    assert.equal(error, null);
    assert.equal(data.user?.id, userId);
    assert.equal(data.user?.user_metadata.full_name, "Ada Lovelace");
    const claims = await supabase.auth.getClaims();
    assert.equal(claims.error, null);
    assert.equal(claims.data?.claims.sub, userId);
  });

  await t.step("refreshSession() rotates the refresh token and revokes the old one", async () => {
    const { data, error } = await supabase.auth.refreshSession();
    assert.equal(error, null);
    assert.ok(data.session);
    assert.notEqual(data.session.refresh_token, refreshToken);
    assert.equal(
      decodeJwt(data.session.access_token).session_id,
      decodeJwt(accessToken).session_id,
    );
    const [old] = await testDb.db.sql<{ revoked: boolean }[]>`
      select revoked from auth.refresh_tokens where token = ${refreshToken}`;
    assert.equal(old?.revoked, true);
    const [fresh] = await testDb.db.sql<{ revoked: boolean; parent: string }[]>`
      select revoked, parent from auth.refresh_tokens where token = ${data.session.refresh_token}`;
    assert.equal(fresh?.revoked, false);
    assert.equal(fresh?.parent, refreshToken);
  });

  await t.step("updateUser() merges metadata and changes the password", async () => {
    const renamed = await supabase.auth.updateUser({ data: { full_name: "Ada King" } });
    assert.equal(renamed.error, null);
    assert.equal(renamed.data.user?.user_metadata.full_name, "Ada King");
    assert.equal(renamed.data.user?.user_metadata.organization_name, "Acme Compliance");

    const same = await supabase.auth.updateUser({ password: PASSWORD });
    assert.equal(same.error?.status, 422);
    assert.equal(same.error?.code, "same_password");

    const changed = await supabase.auth.updateUser({ password: "second-password-2" });
    assert.equal(changed.error, null);
    const fresh = open.client();
    const old = await fresh.auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(old.error?.code, "invalid_credentials");
    const ok = await fresh.auth.signInWithPassword({ email, password: "second-password-2" });
    assert.equal(ok.error, null);
  });

  await t.step(
    "resetPasswordForEmail() mails a code that verifyOtp() exchanges for a session",
    async () => {
      const anonymous = open.client();
      const sent = await anonymous.auth.resetPasswordForEmail(email, {
        redirectTo: `${open.url}/account/reset`,
      });
      assert.equal(sent.error, null);
      assert.deepEqual(sent.data, {});
      const [mail] = await open.auth.mailbox.list({ to: email });
      assert.equal(mail?.type, "recovery");
      assert.equal(mail?.subject, "Reset Your Password");
      const link = new URL(mail!.link);
      assert.equal(link.origin + link.pathname, `${open.url}/auth/v1/verify`);
      assert.equal(link.searchParams.get("type"), "recovery");
      assert.equal(link.searchParams.get("redirect_to"), `${open.url}/account/reset`);
      assert.match(mail!.otp, /^\d{6}$/);
      assert.ok(mail!.text.includes(mail!.otp) && mail!.text.includes(mail!.link));

      const verified = await anonymous.auth.verifyOtp({
        email,
        token: mail!.otp,
        type: "recovery",
      });
      assert.equal(verified.error, null);
      assert.equal(verified.data.user?.id, userId);
      assert.equal(
        (decodeJwt(verified.data.session!.access_token).amr as { method: string }[])[0]!.method,
        "otp",
      );
      const reset = await anonymous.auth.updateUser({ password: "third-password-3" });
      assert.equal(reset.error, null);
      // A new password signs out every other session, the first client's included.
      const stale = await supabase.auth.getUser();
      assert.equal(stale.error?.name, "AuthSessionMissingError");
      const signIn = await open.client().auth.signInWithPassword({
        email,
        password: "third-password-3",
      });
      assert.equal(signIn.error, null);

      const again = await open.client().auth.verifyOtp({
        email,
        token: mail!.otp,
        type: "recovery",
      });
      assert.equal(again.error?.status, 403);
      assert.equal(again.error?.code, "otp_expired");
    },
  );

  await t.step(
    "resetPasswordForEmail() for an unknown address still answers {} and mails nobody",
    async () => {
      const nobody = uniqueEmail("nobody");
      const sent = await open.client().auth.resetPasswordForEmail(nobody);
      assert.equal(sent.error, null);
      assert.deepEqual(await open.auth.mailbox.list({ to: nobody }), []);
    },
  );

  await t.step("signOut() ends every session of the user", async () => {
    const device = open.client();
    await device.auth.signInWithPassword({ email, password: "third-password-3" });
    const { data } = await device.auth.getSession();
    const session = data.session!;
    const { error } = await device.auth.signOut();
    assert.equal(error, null);
    const refreshed = await open.client().auth.refreshSession({
      refresh_token: session.refresh_token,
    });
    assert.equal(refreshed.error?.status, 400);
    assert.equal(refreshed.error?.code, "refresh_token_not_found");
    const user = await open.client().auth.getUser(session.access_token);
    assert.equal(user.error?.name, "AuthSessionMissingError");
    const [countRow] = await testDb.db.sql<{ count: number }[]>`
      select count(*)::int as count from auth.sessions where user_id = ${userId}`;
    assert.equal(countRow?.count, 0);
  });
});

Deno.test("supabase-js sees Supabase's statuses and error codes for bad input", async (t) => {
  await t.step("a wrong password is 400 invalid_credentials", async () => {
    const { email } = await signedUpUser(open, "wrong");
    const { data, error } = await open.client().auth.signInWithPassword({
      email,
      password: "not-the-password",
    });
    assert.equal(data.session, null);
    assert.equal(error?.status, 400);
    assert.equal(error?.code, "invalid_credentials");
    assert.equal(error?.message, "Invalid login credentials");
    const unknown = await open.client().auth.signInWithPassword({
      email: uniqueEmail("ghost"),
      password: PASSWORD,
    });
    assert.equal(unknown.error?.code, "invalid_credentials");
  });

  await t.step("a duplicate email with autoconfirm is 422 user_already_exists", async () => {
    const { email } = await signedUpUser(open, "dup");
    const { error } = await open.client().auth.signUp({ email, password: "another-pass-9" });
    assert.equal(error?.status, 422);
    assert.equal(error?.code, "user_already_exists");
    assert.equal(error?.message, "User already registered");
  });

  await t.step("a short password is 422 weak_password with its reasons", async () => {
    const { error } = await open.client().auth.signUp({
      email: uniqueEmail("weak"),
      password: "short",
    });
    assert.equal(error?.status, 422);
    assert.equal(error?.code, "weak_password");
    assert.equal(error?.name, "AuthWeakPasswordError");
    assert.deepEqual((error as unknown as { reasons: string[] }).reasons, ["length"]);
    assert.equal(error?.message, "Password should be at least 8 characters.");
  });

  await t.step("an expired access token is 403 bad_jwt", async () => {
    const { session } = await signedUpUser(open, "expired");
    open.advance(3601);
    try {
      const { error } = await open.client().auth.getUser(session.access_token);
      assert.equal(error?.status, 403);
      assert.equal(error?.code, "bad_jwt");
      assert.match(error!.message, /token is expired/);
    } finally {
      open.resetClock();
    }
  });

  await t.step("a tampered access token is 403 bad_jwt", async () => {
    const { session, userId } = await signedUpUser(open, "tamper");
    const [header, payload, signature] = session.access_token.split(".");
    const claims = JSON.parse(atob(payload!.replaceAll("-", "+").replaceAll("_", "/")));
    claims.role = "service_role";
    const forged = btoa(JSON.stringify(claims)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    const { error } = await open.client().auth.getUser(`${header}.${forged}.${signature}`);
    assert.equal(error?.status, 403);
    assert.equal(error?.code, "bad_jwt");
    const genuine = await open.client().auth.getUser(session.access_token);
    assert.equal(genuine.data.user?.id, userId);
  });

  await t.step("a missing bearer token is 401 no_authorization, in both error shapes", async () => {
    const current = await fetch(`${open.url}/auth/v1/user`, {
      headers: { apikey: open.auth.anonKey, "X-Supabase-Api-Version": "2024-01-01" },
    });
    assert.equal(current.status, 401);
    assert.equal(current.headers.get("x-sb-error-code"), "no_authorization");
    assert.equal(current.headers.get("X-Supabase-Api-Version"), "2024-01-01");
    assert.deepEqual(await current.json(), {
      code: "no_authorization",
      message: "This endpoint requires a valid Bearer token",
    });
    const legacy = await fetch(`${open.url}/auth/v1/user`);
    assert.equal(legacy.status, 401);
    assert.equal(legacy.headers.get("x-sb-error-code"), "no_authorization");
    assert.equal(legacy.headers.get("X-Supabase-Api-Version"), null);
    assert.deepEqual(await legacy.json(), {
      code: 401,
      error_code: "no_authorization",
      msg: "This endpoint requires a valid Bearer token",
    });
  });

  await t.step("the anon key is not a user token: 403 bad_jwt", async () => {
    const { error } = await open.client().auth.getUser(open.auth.anonKey);
    assert.equal(error?.status, 403);
    assert.equal(error?.code, "bad_jwt");
  });

  await t.step(
    "a reused refresh token revokes the whole session: 400 refresh_token_already_used",
    async () => {
      const { session } = await signedUpUser(open, "reuse");
      const first = session.refresh_token;
      const client = open.client();
      const second = (await client.auth.refreshSession({ refresh_token: first })).data.session!;
      const third = (await client.auth.refreshSession({ refresh_token: second.refresh_token }))
        .data.session!;
      // The parent of the active token (a client that lost the last response)
      // gets the active token back.
      const lost = await open.client().auth.refreshSession({ refresh_token: second.refresh_token });
      assert.equal(lost.error, null);
      assert.equal(lost.data.session?.refresh_token, third.refresh_token);

      open.advance(11); // past GoTrue's 10 s reuse interval
      try {
        const reused = await open.client().auth.refreshSession({ refresh_token: first });
        assert.equal(reused.error?.status, 400);
        assert.equal(reused.error?.code, "refresh_token_already_used");
        assert.equal(reused.error?.message, "Invalid Refresh Token: Already Used");
        const latest = await open.client().auth.refreshSession({
          refresh_token: third.refresh_token,
        });
        assert.equal(latest.error?.code, "refresh_token_already_used");
      } finally {
        open.resetClock();
      }
    },
  );

  await t.step("two tabs refreshing the same token at once both get the new token", async () => {
    const { session } = await signedUpUser(open, "tabs");
    const [a, b] = await Promise.all([
      open.client().auth.refreshSession({ refresh_token: session.refresh_token }),
      open.client().auth.refreshSession({ refresh_token: session.refresh_token }),
    ]);
    assert.equal(a.error, null);
    assert.equal(b.error, null);
    assert.equal(a.data.session?.refresh_token, b.data.session?.refresh_token);
    assert.notEqual(a.data.session?.refresh_token, session.refresh_token);
  });

  await t.step("an unknown refresh token is 400 refresh_token_not_found", async () => {
    const { error } = await open.client().auth.refreshSession({ refresh_token: "nope" });
    assert.equal(error?.status, 400);
    assert.equal(error?.code, "refresh_token_not_found");
  });

  await t.step("malformed JSON is 400 bad_json", async () => {
    const res = await fetch(`${open.url}/auth/v1/signup`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Supabase-Api-Version": "2024-01-01" },
      body: "{not json",
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, "bad_json");
  });
});

Deno.test("email confirmation mode holds sessions back until the emailed link is used", async (t) => {
  const email = uniqueEmail("grace");
  let userId = "";

  await t.step(
    "signUp() returns the user without a session and mails a confirmation link",
    async () => {
      const { data, error } = await confirming.client().auth.signUp({
        email,
        password: PASSWORD,
        options: {
          data: { organization_name: "Grace Audit" },
          emailRedirectTo: `${confirming.url}/welcome`,
        },
      });
      assert.equal(error, null);
      assert.equal(data.session, null);
      userId = data.user!.id;
      assert.equal(data.user!.email_confirmed_at, undefined);
      assert.ok(data.user!.confirmation_sent_at);
      assert.equal(data.user!.identities?.length, 1);
      const mails = await confirming.auth.mailbox.list({ to: email });
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.type, "signup");
      const [org] = await testDb.db.sql<{ name: string }[]>`
      select name from public.organizations where created_by = ${userId}`;
      assert.equal(org?.name, "Grace Audit");
    },
  );

  await t.step("signInWithPassword() before confirming is 400 email_not_confirmed", async () => {
    const { error } = await confirming.client().auth.signInWithPassword({
      email,
      password: PASSWORD,
    });
    assert.equal(error?.status, 400);
    assert.equal(error?.code, "email_not_confirmed");
  });

  await t.step("a repeated sign-up of an unconfirmed address mails the link again", async () => {
    confirming.advance(2); // past the 1 s minimum gap between emails
    try {
      const { data, error } = await confirming.client().auth.signUp({
        email,
        password: PASSWORD,
        options: { emailRedirectTo: `${confirming.url}/welcome` },
      });
      assert.equal(error, null);
      assert.equal(data.user?.id, userId);
      assert.equal((await confirming.auth.mailbox.list({ to: email })).length, 2);
    } finally {
      confirming.resetClock();
    }
  });

  await t.step(
    "GET /verify redirects (303) to redirect_to with the session in the fragment",
    async () => {
      const [mail] = await confirming.auth.mailbox.list({ to: email });
      const res = await fetch(mail!.link, { redirect: "manual" });
      await res.body?.cancel();
      assert.equal(res.status, 303);
      const location = new URL(res.headers.get("location")!);
      assert.equal(location.origin + location.pathname, `${confirming.url}/welcome`);
      const fragment = new URLSearchParams(location.hash.slice(1));
      assert.equal(fragment.get("type"), "signup");
      assert.equal(fragment.get("token_type"), "bearer");
      assert.equal(fragment.get("expires_in"), "3600");
      assert.ok(fragment.get("refresh_token"));
      const { data, error } = await confirming.client().auth.getUser(fragment.get("access_token")!);
      assert.equal(error, null);
      assert.equal(data.user?.id, userId);
      assert.ok(data.user?.email_confirmed_at);
      assert.equal(data.user?.identities?.[0]?.identity_data?.email_verified, true);
    },
  );

  await t.step("a used link redirects with #error_code=otp_expired", async () => {
    const [mail] = await confirming.auth.mailbox.list({ to: email });
    const res = await fetch(mail!.link, { redirect: "manual" });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    const fragment = new URLSearchParams(new URL(res.headers.get("location")!).hash.slice(1));
    assert.equal(fragment.get("error"), "access_denied");
    assert.equal(fragment.get("error_code"), "otp_expired");
    assert.equal(fragment.get("error_description"), "Email link is invalid or has expired");
  });

  await t.step("signInWithPassword() works once confirmed", async () => {
    const { error } = await confirming.client().auth.signInWithPassword({
      email,
      password: PASSWORD,
    });
    assert.equal(error, null);
  });

  await t.step(
    "a repeated sign-up of a confirmed address gets an obfuscated user and no email",
    async () => {
      const before = (await confirming.auth.mailbox.list({ to: email })).length;
      const { data, error } = await confirming.client().auth.signUp({ email, password: PASSWORD });
      assert.equal(error, null);
      assert.equal(data.session, null);
      assert.notEqual(data.user?.id, userId);
      assert.deepEqual(data.user?.identities, []);
      assert.equal((await confirming.auth.mailbox.list({ to: email })).length, before);
    },
  );

  await t.step("redirect_to outside the site URL falls back to the site URL", async () => {
    const other = uniqueEmail("elsewhere");
    await confirming.client().auth.signUp({
      email: other,
      password: PASSWORD,
      options: { emailRedirectTo: "https://evil.example/steal" },
    });
    const [mail] = await confirming.auth.mailbox.list({ to: other });
    assert.equal(new URL(mail!.link).searchParams.get("redirect_to"), confirming.url);
    const res = await fetch(
      mail!.link.replace(/redirect_to=[^&]*/, "redirect_to=https%3A%2F%2Fevil.example%2F"),
      {
        redirect: "manual",
      },
    );
    await res.body?.cancel();
    assert.ok(res.headers.get("location")!.startsWith(`${confirming.url}#access_token=`));
  });

  await t.step("a link older than an hour has expired", async () => {
    const late = uniqueEmail("late");
    await confirming.client().auth.signUp({ email: late, password: PASSWORD });
    const [mail] = await confirming.auth.mailbox.list({ to: late });
    confirming.advance(3601);
    try {
      const { error } = await confirming.client().auth.verifyOtp({
        email: late,
        token: mail!.otp,
        type: "signup",
      });
      assert.equal(error?.status, 403);
      assert.equal(error?.code, "otp_expired");
    } finally {
      confirming.resetClock();
    }
  });
});

Deno.test("an email change waits for both addresses when confirmations are on", async (t) => {
  const email = uniqueEmail("mover");
  const newEmail = uniqueEmail("moved");
  const supabase = confirming.client();
  await confirming.client().auth.signUp({ email, password: PASSWORD });
  const [confirmation] = await confirming.auth.mailbox.list({ to: email });
  assert.equal(
    (await confirming.client().auth.verifyOtp({
      email,
      token: confirmation!.otp,
      type: "signup",
    })).error,
    null,
  );
  await supabase.auth.signInWithPassword({ email, password: PASSWORD });

  await t.step(
    "updateUser({ email }) mails both addresses and keeps the old one for now",
    async () => {
      const { data, error } = await supabase.auth.updateUser({ email: newEmail });
      assert.equal(error, null);
      assert.equal(data.user?.email, email);
      assert.equal(data.user?.new_email, newEmail);
      assert.equal((await confirming.auth.mailbox.list({ to: newEmail }))[0]?.type, "email_change");
      assert.equal((await confirming.auth.mailbox.list({ to: email }))[0]?.type, "email_change");
    },
  );

  await t.step("the first confirmation is accepted without a session", async () => {
    const [toOld] = await confirming.auth.mailbox.list({ to: email });
    const tokenHash = new URL(toOld!.link).searchParams.get("token")!;
    const { data, error } = await confirming.client().auth.verifyOtp({
      token_hash: tokenHash,
      type: "email_change",
    });
    assert.equal(error, null);
    assert.equal(data.session, null);
  });

  await t.step("the second confirmation moves the address and the profile follows", async () => {
    const [toNew] = await confirming.auth.mailbox.list({ to: newEmail });
    const { data, error } = await confirming.client().auth.verifyOtp({
      email: newEmail,
      token: toNew!.otp,
      type: "email_change",
    });
    assert.equal(error, null);
    assert.equal(data.user?.email, newEmail);
    const [profile] = await testDb.db.sql<{ email: string }[]>`
      select email from public.profiles where id = ${data.user!.id}`;
    assert.equal(profile?.email, newEmail);
    const signIn = await confirming.client().auth.signInWithPassword({
      email: newEmail,
      password: PASSWORD,
    });
    assert.equal(signIn.error, null);
  });
});

Deno.test("magic links sign in existing users and create new ones", async (t) => {
  await t.step("signInWithOtp() mails a magic link to a known user", async () => {
    const { email, userId } = await signedUpUser(open, "magic");
    const { error } = await open.client().auth.signInWithOtp({ email });
    assert.equal(error, null);
    const [mail] = await open.auth.mailbox.list({ to: email });
    assert.equal(mail?.type, "magiclink");
    const verified = await open.client().auth.verifyOtp({
      email,
      token: mail!.otp,
      type: "magiclink",
    });
    assert.equal(verified.error, null);
    assert.equal(verified.data.user?.id, userId);
  });

  await t.step(
    "signInWithOtp() with shouldCreateUser false refuses unknown addresses",
    async () => {
      const { error } = await open.client().auth.signInWithOtp({
        email: uniqueEmail("stranger"),
        options: { shouldCreateUser: false },
      });
      assert.equal(error?.status, 422);
      assert.equal(error?.code, "otp_disabled");
    },
  );

  await t.step("signInWithOtp() signs up a new address and mails it a link", async () => {
    const email = uniqueEmail("newcomer");
    const { error } = await open.client().auth.signInWithOtp({
      email,
      options: { data: { organization_name: "Newcomer Ltd" } },
    });
    assert.equal(error, null);
    const [mail] = await open.auth.mailbox.list({ to: email });
    const res = await fetch(mail!.link, { redirect: "manual" });
    await res.body?.cancel();
    const fragment = new URLSearchParams(new URL(res.headers.get("location")!).hash.slice(1));
    assert.equal(fragment.get("type"), "magiclink");
    const claims = decodeJwt(fragment.get("access_token")!);
    const [org] = await testDb.db.sql<{ name: string }[]>`
      select name from public.organizations where created_by = ${claims.sub!}`;
    assert.equal(org?.name, "Newcomer Ltd");
  });
});

Deno.test("the PKCE flow confirms a sign-up with ?code= and exchangeCodeForSession()", async () => {
  const email = uniqueEmail("pkce");
  const supabase = confirming.client({ flowType: "pkce" });
  const signUp = await supabase.auth.signUp({
    email,
    password: PASSWORD,
    options: { emailRedirectTo: `${confirming.url}/callback` },
  });
  assert.equal(signUp.error, null);
  const [mail] = await confirming.auth.mailbox.list({ to: email });
  assert.ok(new URL(mail!.link).searchParams.get("token")!.startsWith("pkce_"));
  const res = await fetch(mail!.link, { redirect: "manual" });
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const location = new URL(res.headers.get("location")!);
  assert.equal(location.pathname, "/callback");
  const code = location.searchParams.get("code");
  assert.ok(code);
  const { data, error } = await supabase.auth.exchangeCodeForSession(code);
  assert.equal(error, null);
  assert.equal(data.user?.email, email);
  assert.ok(data.user?.email_confirmed_at);
});

Deno.test("sign-up is all or nothing with the product's sign-up trigger", async () => {
  const sql = testDb.db.sql;
  await sql.unsafe(`
    create function public.test_refuse_signup() returns trigger language plpgsql as $$
    begin
      if new.raw_user_meta_data ? 'refuse' then raise exception 'refused by test trigger'; end if;
      return new;
    end $$;
    create trigger zz_test_refuse_signup after insert on auth.users
      for each row execute function public.test_refuse_signup();`);
  try {
    const email = uniqueEmail("doomed");
    const { error } = await confirming.client().auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { organization_name: "Doomed Org", refuse: true } },
    });
    assert.equal(error?.status, 500);
    assert.equal(error?.message, "Database error saving new user");
    const [usersRow] = await sql<{ users: number }[]>`
      select count(*)::int as users from auth.users where email = ${email}`;
    assert.equal(usersRow?.users, 0);
    const [orgsRow] = await sql<{ orgs: number }[]>`
      select count(*)::int as orgs from public.organizations where name = 'Doomed Org'`;
    assert.equal(orgsRow?.orgs, 0);
    const [identitiesRow] = await sql<{ identities: number }[]>`
      select count(*)::int as identities from auth.identities where email = ${email}`;
    assert.equal(identitiesRow?.identities, 0);
    assert.deepEqual(await confirming.auth.mailbox.list({ to: email }), []);
  } finally {
    await sql.unsafe(`
      drop trigger zz_test_refuse_signup on auth.users;
      drop function public.test_refuse_signup();`);
  }
});

const GENEROUS_LIMITS = Object.fromEntries(
  Object.keys(DEFAULT_RATE_LIMITS).map((action) => [action, { limit: 10_000, windowSeconds: 60 }]),
);

Deno.test("by default, sign-in attempts on one email stop at 30 per 5 minutes, across servers sharing a limiter", async () => {
  const limiter = createMemoryRateLimiter();
  const [one, two] = [
    await startStandIn(testDb, { rateLimits: {}, limiter }),
    await startStandIn(testDb, { rateLimits: {}, limiter }),
  ];
  try {
    const email = uniqueEmail("guessed");
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 31; i++) {
      const server = i % 2 ? one : two;
      const { error } = await server.client().auth.signInWithPassword({
        email,
        password: `guess-${i}`,
      });
      codes.push(error?.code);
    }
    assert.deepEqual(codes.slice(0, 30), Array(30).fill("invalid_credentials"));
    assert.equal(codes[30], "over_request_rate_limit");
  } finally {
    await one.close();
    await two.close();
  }
});

Deno.test("a made-up X-Forwarded-For does not buy fresh sign-up budgets; a trusted proxy's does", async () => {
  for (const trustedProxies of ["", "127.0.0.0/8"]) {
    const auth = await createAuthServer({
      sql: testDb.db.sql,
      siteUrl: "http://127.0.0.1",
      rateLimits: { ...GENEROUS_LIMITS, signup: { limit: 2, windowSeconds: 300 } },
      trustedProxies,
    });
    const http = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req, info) => auth.fetch(req, info),
    );
    try {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) {
        const client = createClient(`http://127.0.0.1:${http.addr.port}`, auth.anonKey, {
          auth: { persistSession: false, autoRefreshToken: false },
          global: { headers: { "x-forwarded-for": `198.51.100.${i + 1}` } },
        });
        const { error } = await client.auth.signUp({
          email: uniqueEmail("spoof"),
          password: PASSWORD,
        });
        codes.push(error?.code);
      }
      assert.deepEqual(
        codes,
        trustedProxies
          ? [undefined, undefined, undefined]
          : [undefined, undefined, "over_request_rate_limit"],
        `trusted proxies "${trustedProxies}"`,
      );
    } finally {
      await http.shutdown();
    }
  }
});

Deno.test("rate limits answer 429 over_request_rate_limit", async () => {
  const limited = await startStandIn(testDb, {
    rateLimits: { recover: { limit: 2, windowSeconds: 60 } },
  });
  try {
    const email = uniqueEmail("limited");
    const client = limited.client();
    assert.equal((await client.auth.resetPasswordForEmail(email)).error, null);
    assert.equal((await client.auth.resetPasswordForEmail(email)).error, null);
    const { error } = await client.auth.resetPasswordForEmail(email);
    assert.equal(error?.status, 429);
    assert.equal(error?.code, "over_request_rate_limit");
    limited.advance(61);
    assert.equal((await client.auth.resetPasswordForEmail(email)).error, null);
  } finally {
    await limited.close();
  }
});

Deno.test("stricter password rules flag weak passwords at sign-in and refuse them at sign-up", async () => {
  const { email } = await signedUpUser(open, "rules");
  const strict = await startStandIn(testDb, {
    passwordMinLength: 20,
    passwordRequiredCharacters: ["ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
  });
  try {
    const signIn = await strict.client().auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(signIn.error, null);
    assert.deepEqual(signIn.data.weakPassword?.reasons, ["length", "characters"]);
    const signUp = await strict.client().auth.signUp({
      email: uniqueEmail("strict"),
      password: "long-enough-but-lowercase",
    });
    assert.equal(signUp.error?.code, "weak_password");
    assert.deepEqual((signUp.error as unknown as { reasons: string[] }).reasons, ["characters"]);
    const tooLong = await strict.client().auth.signUp({
      email: uniqueEmail("long"),
      password: "A".repeat(73),
    });
    assert.equal(tooLong.error?.status, 400);
    assert.equal(tooLong.error?.code, "validation_failed");
  } finally {
    await strict.close();
  }
});

Deno.test("a restarted stand-in keeps its signing key, so issued tokens stay valid", async () => {
  const { session, userId } = await signedUpUser(open, "restart");
  const restarted = await startStandIn(testDb);
  try {
    assert.deepEqual(await restarted.auth.jwks(), await open.auth.jwks());
    assert.equal(restarted.auth.anonKey, open.auth.anonKey);
    const { data, error } = await restarted.client().auth.getUser(session.access_token);
    assert.equal(error, null);
    assert.equal(data.user?.id, userId);
  } finally {
    await restarted.close();
  }
});

Deno.test("discovery endpoints answer like GoTrue", async (t) => {
  await t.step(
    "GET /.well-known/jwks.json lists the ES256 public key, cacheable for 10 minutes",
    async () => {
      const res = await fetch(`${open.url}/auth/v1/.well-known/jwks.json`);
      assert.equal(res.headers.get("cache-control"), "public, max-age=600");
      const body = await res.json();
      assert.equal(body.keys.length, 1);
      assert.equal(body.keys[0].kty, "EC");
      assert.equal(body.keys[0].crv, "P-256");
      assert.equal(body.keys[0].alg, "ES256");
      assert.equal(body.keys[0].d, undefined, "no private part");
    },
  );

  await t.step("GET /settings reports the confirmation mode", async () => {
    const openSettings = await (await fetch(`${open.url}/auth/v1/settings`)).json();
    assert.equal(openSettings.mailer_autoconfirm, true);
    assert.equal(openSettings.external.email, true);
    assert.equal(openSettings.external.phone, false);
    const strict = await (await fetch(`${confirming.url}/auth/v1/settings`)).json();
    assert.equal(strict.mailer_autoconfirm, false);
  });

  await t.step("GET /health answers 200", async () => {
    const res = await fetch(`${open.url}/auth/v1/health`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).name, "GoTrue");
  });
});

Deno.test("the dev mailbox is readable and clearable over HTTP", async () => {
  const email = uniqueEmail("mailbox");
  await confirming.client().auth.signUp({ email, password: PASSWORD });
  const listed = await fetch(
    `${confirming.url}/auth/v1/_dev/mailbox?to=${encodeURIComponent(email.toUpperCase())}`,
  );
  const { messages } = await listed.json();
  assert.equal(messages.length, 1);
  assert.equal(messages[0].to, email);
  assert.equal(messages[0].subject, "Confirm Your Signup");
  assert.ok(messages[0].html.includes("href="));
  const cleared = await fetch(`${confirming.url}/auth/v1/_dev/mailbox`, { method: "DELETE" });
  await cleared.body?.cancel();
  assert.equal(cleared.status, 204);
  assert.deepEqual(await confirming.auth.mailbox.list(), []);
});
