import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import { createTokenVerifier, type TokenVerifier } from "../../shared/auth/mod.ts";
import type { Database } from "../../shared/db/mod.ts";

/** A user created directly in `auth.users`, as the auth server would. */
export interface TestUser {
  id: string;
  email: string;
  /** The organization created at sign-up, when one was named. */
  orgId: string | null;
  /** A valid access token for this user. */
  token: string;
}

/** Signs access tokens the way Supabase Auth does, with a throwaway ES256 key. */
export interface TestAuth {
  jwks: JSONWebKeySet;
  verifier: TokenVerifier;
  /** Mints a token for `userId`; `expiresIn` in seconds (negative for expired). */
  mint(
    userId: string,
    options?: { email?: string; expiresIn?: number; claims?: Record<string, unknown> },
  ): Promise<string>;
  /** Creates a user (and an organization when `orgName` is given) and a token. */
  createUser(
    db: Database,
    options?: { email?: string; orgName?: string; name?: string },
  ): Promise<TestUser>;
}

/** Creates a {@linkcode TestAuth} with a fresh key pair. */
export async function createTestAuth(): Promise<TestAuth> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `test-${crypto.randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  const jwks: JSONWebKeySet = { keys: [jwk] };
  const issuer = "http://localhost/auth/v1";

  const mint: TestAuth["mint"] = (userId, options = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      email: options.email ?? "",
      phone: "",
      role: "authenticated",
      aal: "aal1",
      amr: [{ method: "password", timestamp: now }],
      session_id: crypto.randomUUID(),
      is_anonymous: false,
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {},
      ...options.claims,
    })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .setSubject(userId)
      .setAudience("authenticated")
      .setIssuer(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 3600))
      .sign(privateKey);
  };

  return {
    jwks,
    verifier: createTokenVerifier({ jwks }),
    mint,
    async createUser(db, options = {}) {
      const id = crypto.randomUUID();
      const email = options.email ?? `user-${id.slice(0, 8)}@example.test`;
      const metadata: Record<string, string> = {};
      if (options.orgName) metadata.organization_name = options.orgName;
      if (options.name) metadata.full_name = options.name;
      await db.sql`
        insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
                                raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
        values (${id}, 'authenticated', 'authenticated', ${email}, '', now(),
                ${db.sql.json({ provider: "email", providers: ["email"] })},
                ${db.sql.json(metadata)}, now(), now())`;
      const [org] = await db.sql<{ id: string }[]>`
        select id from public.organizations where created_by = ${id} order by created_at limit 1`;
      return { id, email, orgId: org?.id ?? null, token: await mint(id, { email }) };
    },
  };
}

/**
 * A token whose session is live in `auth.sessions`, for requests to a function
 * that checks sessions (every function started from its index.ts does).
 *
 * @param auth the test token issuer
 * @param db where `auth.sessions` lives
 * @param user the signed-in user
 */
export async function liveSessionToken(
  auth: TestAuth,
  db: Database,
  user: { id: string; email: string },
): Promise<string> {
  const sessionId = crypto.randomUUID();
  await db.sql`insert into auth.sessions (id, user_id) values (${sessionId}, ${user.id})`;
  return await auth.mint(user.id, { email: user.email, claims: { session_id: sessionId } });
}
