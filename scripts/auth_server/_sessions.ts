import type { Sql } from "../../shared/db/mod.ts";
import { generateRefreshToken } from "./_crypto.ts";
import { AuthError } from "./_errors.ts";
import type { AccessTokenClaims, SigningKeys } from "./_keys.ts";
import {
  audit,
  findUserById,
  type IdentityRow,
  listIdentities,
  type Query,
  userJson,
  type UserRow,
  utcWallTime,
} from "./_users.ts";
import type { WeakPassword } from "./_password.ts";

/** How a session authenticated, as GoTrue's `models.AuthenticationMethod`. */
export type AuthMethod = "password" | "otp" | "magiclink" | "email/signup" | "email_change";

/** A row of `auth.refresh_tokens`. */
interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  created_at: Date;
  updated_at: Date;
  parent: string | null;
  session_id: string | null;
}

/** What token issuance needs from the server. */
export interface TokenContext {
  keys: SigningKeys;
  issuer: string;
  accessTokenTtlSeconds: number;
  /** Seconds a revoked refresh token may still be exchanged (GoTrue's reuse interval). */
  refreshTokenReuseIntervalSeconds: number;
}

/** Request details stored with a session. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** GoTrue's `AccessTokenResponse` as JSON. */
export type SessionJson = Record<string, unknown>;

/**
 * Starts a session for `user`: a row in `auth.sessions`, its authentication
 * method, a first refresh token, `last_sign_in_at`, and a signed access token.
 * Runs inside the caller's transaction.
 *
 * @param tx the open transaction
 * @param ctx keys and lifetimes
 * @param params the user, how they authenticated, the client and the time
 */
export async function issueSession(
  tx: Query,
  ctx: TokenContext,
  params: {
    user: UserRow;
    method: AuthMethod;
    client: ClientInfo;
    now: Date;
    weakPassword?: WeakPassword | null;
  },
): Promise<SessionJson> {
  const { now } = params;
  const sessionId = crypto.randomUUID();
  await tx`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (${sessionId}, ${params.user.id}, ${now}, ${now}, 'aal1',
            ${params.client.userAgent}, ${params.client.ip})`;
  await addAuthMethod(tx, sessionId, params.method, now);
  const refreshToken = await insertRefreshToken(tx, {
    userId: params.user.id,
    sessionId,
    parent: null,
    now,
  });
  await tx`update auth.users set last_sign_in_at = ${now}, updated_at = ${now}
           where id = ${params.user.id}`;
  const user = (await findUserById(tx, params.user.id))!;
  return await sessionJson(tx, ctx, {
    user,
    sessionId,
    refreshToken,
    now,
    weakPassword: params.weakPassword,
  });
}

/**
 * The `refresh_token` grant with rotation and GoTrue's reuse detection: the
 * current token is swapped for a child; the parent of the active token gets
 * the active one back (the client lost the last response); any other revoked
 * token is accepted only within the reuse interval, and after it revokes
 * every refresh token of the session.
 *
 * @param sql the pool; the grant runs in its own transaction
 * @param ctx keys and lifetimes
 * @param params the presented token and the time
 * @throws {AuthError} `refresh_token_not_found`, `refresh_token_already_used`, `user_banned`
 */
export async function refreshGrant(
  sql: Sql,
  ctx: TokenContext,
  params: { refreshToken: string; now: Date; ip: string | null },
): Promise<{ session: SessionJson; user: UserRow }> {
  const { now } = params;
  const outcome = await sql.begin(async (tx) => {
    const [token] = await tx<RefreshTokenRow[]>`
      select id::text, token, user_id, revoked, created_at, updated_at, parent, session_id
      from auth.refresh_tokens where token = ${params.refreshToken} for update`;
    if (!token) {
      return new AuthError(
        400,
        "refresh_token_not_found",
        "Invalid Refresh Token: Refresh Token Not Found",
      );
    }
    const user = await findUserById(tx, token.user_id);
    if (!user) {
      return new AuthError(
        400,
        "refresh_token_not_found",
        "Invalid Refresh Token: Refresh Token Not Found",
      );
    }
    if (user.banned_until && user.banned_until.getTime() > now.getTime()) {
      return new AuthError(400, "user_banned", "Invalid Refresh Token: User Banned");
    }
    if (!token.session_id) {
      return new AuthError(
        400,
        "session_not_found",
        "Invalid Refresh Token: No Valid Session Found",
      );
    }
    // Serialise refreshes of one session.
    const [session] = await tx<{ id: string }[]>`
      select id from auth.sessions where id = ${token.session_id} for update`;
    if (!session) {
      return new AuthError(
        400,
        "session_not_found",
        "Invalid Refresh Token: No Valid Session Found",
      );
    }

    let issued: string | null = null;
    if (token.revoked) {
      const [active] = await tx<RefreshTokenRow[]>`
        select id::text, token, user_id, revoked, created_at, updated_at, parent, session_id
        from auth.refresh_tokens
        where session_id = ${token.session_id} and revoked = false
        order by id desc limit 1`;
      if (active && active.parent === token.token) {
        issued = active.token;
      } else {
        const reuseUntil = token.updated_at.getTime() +
          ctx.refreshTokenReuseIntervalSeconds * 1000;
        if (now.getTime() > reuseUntil) {
          await tx`update auth.refresh_tokens set revoked = true
                   where session_id = ${token.session_id} and revoked = false`;
          // Committed on purpose: the family stays revoked.
          return new AuthError(
            400,
            "refresh_token_already_used",
            "Invalid Refresh Token: Already Used",
          );
        }
      }
    }
    if (!issued) {
      await tx`update auth.refresh_tokens set revoked = true, updated_at = ${now}
               where id = ${token.id}`;
      issued = await insertRefreshToken(tx, {
        userId: user.id,
        sessionId: token.session_id,
        parent: token.token,
        now,
      });
    }
    await audit(tx, { user, action: "token_refreshed", logType: "token", now, ip: params.ip });
    await tx`update auth.sessions set updated_at = ${now},
               refreshed_at = ${utcWallTime(now)}::timestamp
             where id = ${token.session_id}`;
    const sessionBody = await sessionJson(tx, ctx, {
      user,
      sessionId: token.session_id,
      refreshToken: issued,
      now,
    });
    return { session: sessionBody, user };
  });
  if (outcome instanceof AuthError) throw outcome;
  return outcome;
}

/**
 * Builds the session JSON (`access_token`, `refresh_token`, `user`, …) for an
 * existing session, signing a fresh access token.
 */
async function sessionJson(
  tx: Query,
  ctx: TokenContext,
  params: {
    user: UserRow;
    sessionId: string;
    refreshToken: string;
    now: Date;
    weakPassword?: WeakPassword | null;
  },
): Promise<SessionJson> {
  const { user, now } = params;
  const identities: IdentityRow[] = await listIdentities(tx, user.id);
  const amrRows = await tx<{ method: string; updated_at: Date }[]>`
    select method, updated_at from auth_dev.session_amr
    where session_id = ${params.sessionId} order by updated_at desc, method`;
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ctx.accessTokenTtlSeconds;
  const claims: AccessTokenClaims = {
    iss: ctx.issuer,
    sub: user.id,
    aud: user.aud ?? "authenticated",
    exp,
    iat,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? "authenticated",
    aal: "aal1",
    amr: amrRows.map((r) => ({
      method: r.method,
      timestamp: Math.floor(r.updated_at.getTime() / 1000),
    })),
    session_id: params.sessionId,
    is_anonymous: user.is_anonymous,
  };
  const body: SessionJson = {
    access_token: await ctx.keys.sign(claims),
    token_type: "bearer",
    expires_in: ctx.accessTokenTtlSeconds,
    expires_at: exp,
    refresh_token: params.refreshToken,
    user: userJson(user, identities),
  };
  if (params.weakPassword) body.weak_password = params.weakPassword;
  return body;
}

async function addAuthMethod(tx: Query, sessionId: string, method: AuthMethod, now: Date) {
  await tx`
    insert into auth_dev.session_amr (session_id, method, created_at, updated_at)
    values (${sessionId}, ${method}, ${now}, ${now})
    on conflict (session_id, method) do update set updated_at = excluded.updated_at`;
}

async function insertRefreshToken(
  tx: Query,
  params: { userId: string; sessionId: string; parent: string | null; now: Date },
): Promise<string> {
  const token = generateRefreshToken();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${token}, ${params.userId}, false,
            ${params.now}, ${params.now}, ${params.parent}, ${params.sessionId})`;
  return token;
}

/**
 * Signs out: `local` deletes the current session, `others` every other session
 * of the user, `global` all of them. Refresh tokens go with their sessions.
 */
export async function deleteSessions(
  tx: Query,
  params: { userId: string; sessionId: string | null; scope: "global" | "local" | "others" },
): Promise<void> {
  if (params.scope === "local" && params.sessionId) {
    await tx`delete from auth.sessions where id = ${params.sessionId}`;
  } else if (params.scope === "others" && params.sessionId) {
    await tx`delete from auth.sessions where user_id = ${params.userId} and id <> ${params.sessionId}`;
  } else if (params.scope === "global" || !params.sessionId) {
    await tx`delete from auth.sessions where user_id = ${params.userId}`;
    await tx`delete from auth.refresh_tokens where user_id = ${params.userId}`;
  }
}
