// Sessions and the signed-in user: the token grants, sign-out and /user.

import type postgres from "postgres";
import { pkceGrant } from "./_account.ts";
import {
  clientInfo,
  createFlowState,
  isBanned,
  json,
  limitKeys,
  objectField,
  readJson,
  readPkce,
  referrer,
  requireUser,
  sendEmailChange,
  type ServerContext,
  stringField,
  validateEmail,
} from "./_context.ts";
import { AuthError, OAuthError } from "./_errors.ts";
import { announceMail, type MailMessage } from "./_mailer.ts";
import {
  assertStrongPassword,
  hashPassword,
  passwordWeakness,
  verifyPassword,
} from "./_password.ts";
import { runPasswordHook } from "./_hooks.ts";
import { deleteSessions, issueSession, refreshGrant } from "./_sessions.ts";
import {
  audit,
  clearOneTimeTokens,
  findUserByEmail,
  findUserById,
  listIdentities,
  lockUser,
  mergeMetadata,
  userJson,
} from "./_users.ts";

/** `POST /token?grant_type=password|refresh_token|pkce`. */
export async function handleToken(ctx: ServerContext, req: Request): Promise<Response> {
  const grantType = new URL(req.url).searchParams.get("grant_type") ?? "";
  switch (grantType) {
    case "password":
      return await passwordGrant(ctx, req);
    case "refresh_token":
      return await refreshTokenGrant(ctx, req);
    case "pkce":
      await ctx.limiter.hit("token", limitKeys(req));
      return await pkceGrant(ctx, req, await readJson(req));
    default:
      throw new AuthError(400, "invalid_credentials", "unsupported_grant_type");
  }
}

async function passwordGrant(ctx: ServerContext, req: Request): Promise<Response> {
  const body = await readJson(req);
  const rawEmail = stringField(body, "email");
  const phone = stringField(body, "phone");
  const password = stringField(body, "password");
  if (rawEmail && phone) {
    throw new AuthError(
      400,
      "validation_failed",
      "Only an email address or phone number should be provided on login.",
    );
  }
  if (phone) throw new AuthError(422, "phone_provider_disabled", "Phone logins are disabled");
  if (!rawEmail) throw new AuthError(400, "validation_failed", "missing email or phone");
  const email = rawEmail.trim().toLowerCase();
  await ctx.limiter.hit("token", limitKeys(req, email));
  const invalid = new AuthError(400, "invalid_credentials", "Invalid login credentials");

  const user = await findUserByEmail(ctx.sql, email);
  if (!user) throw invalid;
  if (isBanned(user, ctx.now())) throw new AuthError(400, "user_banned", "User is banned");
  const valid = await verifyPassword(password, user.encrypted_password);
  if (ctx.passwordHook) await runPasswordHook(ctx.passwordHook, { user_id: user.id, valid });
  if (!valid) {
    // Not a GoTrue action: the stand-in records failed sign-ins of existing
    // accounts so the audit trail can show them (docs/audit.md).
    await audit(ctx.sql, {
      user,
      action: "login_failed",
      logType: "account",
      now: ctx.now(),
      ip: clientInfo(req).ip,
      traits: { provider: "email" },
    });
    throw invalid;
  }
  let weakPassword = null;
  try {
    weakPassword = passwordWeakness(password, ctx.rules);
  } catch {
    // Longer than bcrypt's limit yet matching: nothing to report.
  }
  if (!user.email_confirmed_at) {
    throw new AuthError(400, "email_not_confirmed", "Email not confirmed");
  }
  const client = clientInfo(req);
  const session = await ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    await audit(tx, {
      user,
      action: "login",
      logType: "account",
      now,
      ip: client.ip,
      traits: { provider: "email" },
    });
    return await issueSession(tx, ctx.tokens, {
      user,
      method: "password",
      client,
      now,
      weakPassword,
    });
  });
  return json(session);
}

async function refreshTokenGrant(ctx: ServerContext, req: Request): Promise<Response> {
  const body = await readJson(req);
  const refreshToken = stringField(body, "refresh_token");
  if (!refreshToken) throw new OAuthError("invalid_request", "refresh_token required");
  await ctx.limiter.hit("refresh", limitKeys(req));
  const { session } = await refreshGrant(ctx.sql, ctx.tokens, {
    refreshToken,
    now: ctx.now(),
    ip: clientInfo(req).ip,
  });
  return json(session);
}

/** `POST /logout?scope=global|local|others`: 204. */
export async function handleLogout(ctx: ServerContext, req: Request): Promise<Response> {
  const raw = new URL(req.url).searchParams.get("scope") ?? "";
  let scope: "global" | "local" | "others";
  if (raw === "" || raw === "global") scope = "global";
  else if (raw === "local" || raw === "others") scope = raw;
  else throw new AuthError(400, "validation_failed", `Unsupported logout scope "${raw}"`);
  const { user, sessionId } = await requireUser(ctx, req);
  const client = clientInfo(req);
  await ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    await audit(tx, { user, action: "logout", logType: "account", now, ip: client.ip });
    await deleteSessions(tx, { userId: user.id, sessionId, scope });
  });
  return new Response(null, { status: 204 });
}

/** `GET /user`. */
export async function handleGetUser(ctx: ServerContext, req: Request): Promise<Response> {
  const { user } = await requireUser(ctx, req);
  return json(userJson(user, await listIdentities(ctx.sql, user.id)));
}

/**
 * `PUT /user`: metadata (`data`), password and email. A new password must
 * differ from the old one and signs out every other session; a new email is
 * confirmed by email before it takes effect.
 */
export async function handleUpdateUser(ctx: ServerContext, req: Request): Promise<Response> {
  const { user, sessionId } = await requireUser(ctx, req);
  const body = await readJson(req);
  const rawEmail = stringField(body, "email");
  const phone = stringField(body, "phone");
  const password = body.password === undefined || body.password === null
    ? null
    : stringField(body, "password");
  const data = objectField(body, "data");
  const appData = objectField(body, "app_metadata");
  const pkce = readPkce(body);
  const email = rawEmail ? validateEmail(rawEmail) : "";
  if (password !== null) assertStrongPassword(password, ctx.rules);
  if (appData) {
    throw new AuthError(403, "not_admin", "Updating app_metadata requires admin privileges");
  }
  if (phone && phone !== (user.phone ?? "")) {
    throw new AuthError(422, "phone_provider_disabled", "Phone logins are disabled");
  }
  const changingEmail = email !== "" && email !== (user.email ?? "");
  if (changingEmail) {
    const other = await findUserByEmail(ctx.sql, email);
    if (other && other.id !== user.id) {
      throw new AuthError(
        422,
        "email_exists",
        "A user with this email address has already been registered",
      );
    }
  }
  let passwordHash: string | null = null;
  if (password !== null) {
    if (password !== "" && (await verifyPassword(password, user.encrypted_password))) {
      throw new AuthError(
        422,
        "same_password",
        "New password should be different from the old password.",
      );
    }
    passwordHash = await hashPassword(password);
  }
  const redirectTo = referrer(ctx, req);
  const client = clientInfo(req);
  const outbox: MailMessage[] = [];

  const updated = await ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    const current = await lockUser(tx, user.id);
    if (!current) {
      return new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");
    }
    if (passwordHash !== null) {
      // GoTrue's UpdatePassword: pending links die with the old password, and
      // so does every other session.
      await tx`
        update auth.users set encrypted_password = ${passwordHash}, confirmation_token = '',
          confirmation_sent_at = null, recovery_token = '', recovery_sent_at = null,
          email_change_token_current = '', email_change_token_new = '',
          email_change_sent_at = null, reauthentication_token = '',
          reauthentication_sent_at = null, updated_at = ${now}
        where id = ${user.id}`;
      await clearOneTimeTokens(tx, user.id);
      await deleteSessions(tx, {
        userId: user.id,
        sessionId,
        scope: sessionId ? "others" : "global",
      });
      await audit(tx, {
        user: current,
        action: "user_updated_password",
        logType: "user",
        now,
        ip: client.ip,
      });
    }
    if (data) {
      const metadata = mergeMetadata(current.raw_user_meta_data, data);
      await tx`
        update auth.users set raw_user_meta_data = ${tx.json(metadata as postgres.JSONValue)},
          updated_at = ${now}
        where id = ${user.id}`;
    }
    if (changingEmail) {
      const fresh = (await findUserById(tx, user.id))!;
      if (pkce) {
        await createFlowState(tx, {
          userId: user.id,
          pkce,
          authenticationMethod: "email_change",
          now,
        });
      }
      outbox.push(
        ...await sendEmailChange(tx, ctx, {
          user: fresh,
          newEmail: email,
          redirectTo,
          pkce: !!pkce,
          now,
        }),
      );
    }
    await audit(tx, {
      user: current,
      action: "user_modified",
      logType: "user",
      now,
      ip: client.ip,
    });
    const result = (await findUserById(tx, user.id))!;
    return userJson(result, await listIdentities(tx, user.id));
  });
  if (updated instanceof AuthError) throw updated;
  announceMail(ctx.log, outbox);
  return json(updated);
}
