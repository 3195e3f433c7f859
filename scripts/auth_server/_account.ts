// Sign-up, password recovery, magic links and email verification: the flows
// that create users or send them email.

import type postgres from "postgres";
import {
  type Body,
  clientInfo,
  createFlowState,
  json,
  limitKeys,
  objectField,
  readJson,
  readPkce,
  referrer,
  sendConfirmation,
  sendRecovery,
  type ServerContext,
  stringField,
  validateEmail,
} from "./_context.ts";
import { generatePassword, tokenHash } from "./_crypto.ts";
import { AuthError, OAUTH_ERROR_BY_STATUS } from "./_errors.ts";
import { announceMail, type MailMessage } from "./_mailer.ts";
import { assertStrongPassword, hashPassword } from "./_password.ts";
import { type AuthMethod, issueSession, type SessionJson } from "./_sessions.ts";
import {
  audit,
  clearOneTimeTokens,
  findByTokenHash,
  findUserByEmail,
  findUserById,
  listIdentities,
  mergeMetadata,
  type OneTimeTokenType,
  type Query,
  userJson,
  type UserRow,
  type UserWithToken,
} from "./_users.ts";

type Json = Record<string, unknown>;

const ANON_SIGNUPS_DISABLED = new AuthError(
  422,
  "anonymous_provider_disabled",
  "Anonymous sign-ins are disabled",
);

/** `POST /signup`. */
export async function handleSignup(ctx: ServerContext, req: Request): Promise<Response> {
  const body = await readJson(req);
  const rawEmail = stringField(body, "email");
  const phone = stringField(body, "phone");
  const password = stringField(body, "password");
  const data = objectField(body, "data") ?? {};
  if (!rawEmail && !phone) throw ANON_SIGNUPS_DISABLED;
  if (!password) {
    throw new AuthError(400, "validation_failed", "Signup requires a valid password");
  }
  assertStrongPassword(password, ctx.rules);
  if (rawEmail && phone) {
    throw new AuthError(
      400,
      "validation_failed",
      "Only an email address or phone number should be provided on signup.",
    );
  }
  const pkce = readPkce(body);
  if (phone) throw new AuthError(400, "phone_provider_disabled", "Phone signups are disabled");
  const email = validateEmail(rawEmail);
  await ctx.limiter.hit("signup", limitKeys(req, email));
  const redirectTo = referrer(ctx, req);
  const passwordHash = await hashPassword(password);
  const client = clientInfo(req);
  const outbox: MailMessage[] = [];

  const result = await runSignupTransaction(ctx, async (tx) => {
    const now = ctx.now();
    const existing = await findUserByEmail(tx, email);
    if (existing) {
      await audit(tx, {
        user: existing,
        action: "user_repeated_signup",
        logType: "user",
        now,
        ip: client.ip,
        traits: { provider: "email" },
      });
      if (ctx.autoconfirm) {
        return new AuthError(422, "user_already_exists", "User already registered");
      }
      if (existing.email_confirmed_at) return { obfuscated: obfuscatedUser(existing, data, now) };
      // Not confirmed yet: GoTrue sends the confirmation again, leaving the
      // user untouched since the caller's identity is unproven.
      if (pkce) {
        await createFlowState(tx, {
          userId: existing.id,
          pkce,
          authenticationMethod: "email/signup",
          now,
        });
      }
      outbox.push(
        await sendConfirmation(tx, ctx, { user: existing, redirectTo, pkce: !!pkce, now }),
      );
      return { user: await withIdentities(tx, existing.id) };
    }

    let user = await createEmailUser(tx, { email, passwordHash, data, now });
    if (ctx.autoconfirm) {
      await audit(tx, {
        user,
        action: "user_signedup",
        logType: "team",
        now,
        ip: client.ip,
        traits: { provider: "email" },
      });
      user = await confirmUser(tx, user, now);
      await audit(tx, {
        user,
        action: "login",
        logType: "account",
        now,
        ip: client.ip,
        traits: { provider: "email" },
      });
      return {
        session: await issueSession(tx, ctx.tokens, { user, method: "password", client, now }),
      };
    }
    await audit(tx, {
      user,
      action: "user_confirmation_requested",
      logType: "user",
      now,
      ip: client.ip,
      traits: { provider: "email" },
    });
    if (pkce) {
      await createFlowState(tx, {
        userId: user.id,
        pkce,
        authenticationMethod: "email/signup",
        now,
      });
    }
    outbox.push(await sendConfirmation(tx, ctx, { user, redirectTo, pkce: !!pkce, now }));
    return { user: await withIdentities(tx, user.id) };
  });

  if (result instanceof AuthError) throw result;
  announceMail(ctx.log, outbox);
  if ("session" in result) return json(result.session);
  if ("obfuscated" in result) return json(result.obfuscated);
  return json(result.user);
}

/** `POST /recover`: always `{}`, and a recovery email when the user exists. */
export async function handleRecover(ctx: ServerContext, req: Request): Promise<Response> {
  const body = await readJson(req);
  const rawEmail = stringField(body, "email");
  const pkce = readPkce(body);
  if (!rawEmail) {
    throw new AuthError(422, "validation_failed", "Password recovery requires an email");
  }
  const email = validateEmail(rawEmail);
  await ctx.limiter.hit("recover", limitKeys(req, email));
  const redirectTo = referrer(ctx, req);
  const client = clientInfo(req);
  const outbox: MailMessage[] = [];
  await ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    await audit(tx, {
      user,
      action: "user_recovery_requested",
      logType: "user",
      now,
      ip: client.ip,
    });
    if (pkce) {
      await createFlowState(tx, { userId: user.id, pkce, authenticationMethod: "recovery", now });
    }
    outbox.push(
      await sendRecovery(tx, ctx, { user, type: "recovery", redirectTo, pkce: !!pkce, now }),
    );
  });
  announceMail(ctx.log, outbox);
  return json({});
}

/**
 * `POST /otp` for email (magic link). A new or unconfirmed user is signed up
 * first: with autoconfirm the magic link follows, otherwise the confirmation
 * email is the link.
 */
export async function handleOtp(ctx: ServerContext, req: Request): Promise<Response> {
  const body = await readJson(req);
  const rawEmail = stringField(body, "email");
  const phone = stringField(body, "phone");
  const data = objectField(body, "data") ?? {};
  const createUser = body.create_user === undefined || body.create_user === null
    ? true
    : body.create_user === true;
  const pkce = readPkce(body);
  if (rawEmail && phone) {
    throw new AuthError(
      400,
      "validation_failed",
      "Only an email address or phone number should be provided",
    );
  }
  if (phone) throw new AuthError(400, "phone_provider_disabled", "Unsupported phone provider");
  if (!rawEmail) throw new AuthError(400, "validation_failed", "One of email or phone must be set");
  const email = validateEmail(rawEmail);
  await ctx.limiter.hit("otp", limitKeys(req, email));
  const redirectTo = referrer(ctx, req);
  const client = clientInfo(req);
  const existing = await findUserByEmail(ctx.sql, email);
  if (!existing && !createUser) {
    throw new AuthError(422, "otp_disabled", "Signups not allowed for otp");
  }
  const passwordHash = existing ? null : await hashPassword(generatePassword());
  const outbox: MailMessage[] = [];

  const result = await runSignupTransaction(ctx, async (tx) => {
    const now = ctx.now();
    let user = await findUserByEmail(tx, email);
    if (!user || !user.email_confirmed_at) {
      if (!user) {
        if (!passwordHash) return new AuthError(409, "conflict", "The user changed, try again");
        user = await createEmailUser(tx, { email, passwordHash, data, now });
        await audit(tx, {
          user,
          action: ctx.autoconfirm ? "user_signedup" : "user_confirmation_requested",
          logType: ctx.autoconfirm ? "team" : "user",
          now,
          ip: client.ip,
          traits: { provider: "email" },
        });
      }
      if (!ctx.autoconfirm) {
        if (pkce) {
          await createFlowState(tx, {
            userId: user.id,
            pkce,
            authenticationMethod: "email/signup",
            now,
          });
        }
        outbox.push(await sendConfirmation(tx, ctx, { user, redirectTo, pkce: !!pkce, now }));
        return null;
      }
      user = await confirmUser(tx, user, now);
    }
    await audit(tx, {
      user,
      action: "user_recovery_requested",
      logType: "user",
      now,
      ip: client.ip,
    });
    if (pkce) {
      await createFlowState(tx, { userId: user.id, pkce, authenticationMethod: "magiclink", now });
    }
    outbox.push(
      await sendRecovery(tx, ctx, { user, type: "magiclink", redirectTo, pkce: !!pkce, now }),
    );
    return null;
  });
  if (result instanceof AuthError) throw result;
  announceMail(ctx.log, outbox);
  return json({});
}

type VerifyType = "signup" | "invite" | "recovery" | "magiclink" | "email_change" | "email";
const VERIFY_TYPES = new Set<string>([
  "signup",
  "invite",
  "recovery",
  "magiclink",
  "email_change",
  "email",
]);
const SINGLE_CONFIRMATION =
  "Confirmation link accepted. Please proceed to confirm link sent to the other email";

/** `POST /verify`: a code with its email, or a token hash; answers with a session. */
export async function handleVerifyPost(ctx: ServerContext, req: Request): Promise<Response> {
  const body = await readJson(req);
  const type = stringField(body, "type");
  const token = stringField(body, "token");
  const tokenHashParam = stringField(body, "token_hash");
  const rawEmail = stringField(body, "email");
  const phone = stringField(body, "phone");
  const redirectParam = stringField(body, "redirect_to");
  if (!type) throw new AuthError(400, "validation_failed", "Verify requires a verification type");
  if ((!token && !tokenHashParam) || (token && tokenHashParam)) {
    throw new AuthError(400, "validation_failed", "Verify requires either a token or a token hash");
  }
  let hash: string;
  let email: string | null = null;
  if (token) {
    if (phone && !rawEmail) {
      // No phone provider: no user can hold an SMS code.
      throw new AuthError(403, "otp_expired", "Token has expired or is invalid");
    }
    if (!rawEmail || phone) {
      throw new AuthError(
        400,
        "validation_failed",
        "Only an email address or phone number should be provided on verify",
      );
    }
    try {
      email = validateEmail(rawEmail);
    } catch {
      throw new AuthError(422, "validation_failed", "Invalid email format");
    }
    hash = tokenHash(email, token);
  } else {
    if (rawEmail || phone || redirectParam) {
      throw new AuthError(
        400,
        "validation_failed",
        "Only the token_hash and type should be provided",
      );
    }
    hash = tokenHashParam;
  }
  if (!VERIFY_TYPES.has(type) && type !== "sms" && type !== "phone_change") {
    throw new AuthError(400, "validation_failed", "Unsupported verification type");
  }
  await ctx.limiter.hit("verify", limitKeys(req, email ?? undefined));
  const client = clientInfo(req);
  const outcome = await ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    if (type === "sms" || type === "phone_change") {
      return new AuthError(403, "otp_expired", "Token has expired or is invalid");
    }
    const found = await findVerifiable(tx, ctx, { type: type as VerifyType, hash, email, now });
    if (found instanceof AuthError) return found;
    return await completeVerification(tx, ctx, { found, client, now, flow: "implicit" });
  });
  if (outcome instanceof AuthError) throw outcome;
  if (outcome.kind === "single_confirmation") {
    return json({ msg: SINGLE_CONFIRMATION, code: "200" });
  }
  if (outcome.kind !== "session") throw new Error("Cannot verify: implicit flow gave no session");
  return json(outcome.session);
}

/**
 * `GET /verify`: the link in an email. Redirects (303) to `redirect_to` with
 * the session in the fragment (implicit flow) or `?code=` (PKCE), or with
 * `#error=…` when the link is invalid or expired.
 */
export async function handleVerifyGet(ctx: ServerContext, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const token = url.searchParams.get("token") ?? "";
  const type = url.searchParams.get("type") ?? "";
  const redirectTo = referrer(ctx, req);
  if (!type) throw new AuthError(400, "validation_failed", "Verify requires a verification type");
  if (!token) {
    throw new AuthError(400, "validation_failed", "Verify requires a token or a token hash");
  }
  const flow = token.startsWith("pkce_") ? "pkce" : "implicit";
  await ctx.limiter.hit("verify", limitKeys(req));
  const client = clientInfo(req);

  let outcome: Awaited<ReturnType<typeof completeVerification>> | AuthError;
  try {
    outcome = await ctx.sql.begin(async (tx) => {
      const now = ctx.now();
      if (!VERIFY_TYPES.has(type) || type === "email") {
        return new AuthError(400, "validation_failed", "Unsupported verification type");
      }
      const found = await findVerifiable(tx, ctx, {
        type: type as VerifyType,
        hash: token,
        email: null,
        now,
      });
      if (found instanceof AuthError) return found;
      return await completeVerification(tx, ctx, { found, client, now, flow });
    });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    outcome = error;
  }

  const target = new URL(redirectTo);
  if (outcome instanceof AuthError) {
    const fragment = new URLSearchParams();
    const oauthError = OAUTH_ERROR_BY_STATUS[outcome.status];
    if (oauthError) fragment.set("error", oauthError);
    fragment.set("error_code", outcome.code);
    fragment.set("error_description", outcome.message);
    fragment.set("sb", "");
    if (flow === "pkce") {
      if (oauthError) target.searchParams.set("error", oauthError);
      target.searchParams.set("error_code", outcome.code);
      target.searchParams.set("error_description", outcome.message);
    }
    target.hash = sortedParams(fragment);
    return redirect(target.toString());
  }
  if (outcome.kind === "single_confirmation") {
    if (flow === "pkce") target.searchParams.set("message", SINGLE_CONFIRMATION);
    target.hash = sortedParams(new URLSearchParams({ message: SINGLE_CONFIRMATION }));
    return redirect(target.toString());
  }
  if (outcome.kind === "auth_code") {
    target.searchParams.set("code", outcome.authCode);
    return redirect(target.toString());
  }
  const s = outcome.session;
  const fragment = new URLSearchParams({
    access_token: String(s.access_token),
    token_type: String(s.token_type),
    expires_in: String(s.expires_in),
    expires_at: String(s.expires_at),
    refresh_token: String(s.refresh_token),
    type,
    sb: "",
  });
  return new Response(null, {
    status: 303,
    headers: { Location: `${redirectTo.split("#")[0]}#${sortedParams(fragment)}` },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location } });
}

/** Go's `url.Values.Encode`: keys sorted, `+` for spaces. */
function sortedParams(params: URLSearchParams): string {
  const sorted = new URLSearchParams([...params.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  return sorted.toString();
}

/** One-time token kinds each verification type may use. */
function tokenTypesFor(type: VerifyType): OneTimeTokenType[] {
  switch (type) {
    case "signup":
    case "invite":
      return ["confirmation_token"];
    case "recovery":
    case "magiclink":
      return ["recovery_token"];
    case "email_change":
      return ["email_change_token_new", "email_change_token_current"];
    case "email":
      return ["confirmation_token", "recovery_token"];
  }
}

interface Verifiable {
  user: UserWithToken;
  /** The type after resolving `email` to `signup` or `magiclink`. */
  type: Exclude<VerifyType, "email">;
}

/**
 * Finds the user a token belongs to and checks it has not expired. With an
 * email the code must have been sent to that address.
 */
async function findVerifiable(
  tx: Query,
  ctx: ServerContext,
  params: { type: VerifyType; hash: string; email: string | null; now: Date },
): Promise<Verifiable | AuthError> {
  const invalid = params.email
    ? new AuthError(403, "otp_expired", "Token has expired or is invalid")
    : new AuthError(403, "otp_expired", "Email link is invalid or has expired");
  const rows = await findByTokenHash(tx, params.hash, tokenTypesFor(params.type));
  const user = rows.find((r) => !params.email || r.relates_to.toLowerCase() === params.email);
  if (!user) return invalid;
  if (user.banned_until && user.banned_until.getTime() > params.now.getTime()) {
    return new AuthError(403, "user_banned", "User is banned");
  }
  const sentAt = user.token_type === "confirmation_token"
    ? user.confirmation_sent_at
    : user.token_type === "recovery_token"
    ? user.recovery_sent_at
    : user.email_change_sent_at;
  if (!sentAt || params.now.getTime() > sentAt.getTime() + ctx.otpExpiryMs) return invalid;
  let type: Exclude<VerifyType, "email">;
  if (params.type === "email") {
    type = user.token_type === "confirmation_token" ? "signup" : "magiclink";
  } else {
    type = params.type;
  }
  return { user, type };
}

type VerificationOutcome =
  | { kind: "session"; session: SessionJson }
  | { kind: "auth_code"; authCode: string }
  | { kind: "single_confirmation" };

/** Applies a verified token: confirms, recovers or changes the email, then signs in. */
async function completeVerification(
  tx: Query,
  ctx: ServerContext,
  params: {
    found: Verifiable;
    client: { ip: string | null; userAgent: string | null };
    now: Date;
    flow: "implicit" | "pkce";
  },
): Promise<VerificationOutcome | AuthError> {
  const { found, now, client } = params;
  let user: UserRow = found.user;
  let flowMethod: string;
  switch (found.type) {
    case "signup":
    case "invite":
      user = await signupVerify(tx, user, now, client.ip);
      flowMethod = "email/signup";
      break;
    case "recovery":
    case "magiclink":
      user = await recoverVerify(tx, user, now, client.ip);
      flowMethod = found.type;
      break;
    case "email_change": {
      const changed = await emailChangeVerify(tx, ctx, found, now, client.ip);
      if (!changed) return { kind: "single_confirmation" };
      user = changed;
      flowMethod = "email_change";
      break;
    }
  }
  if (params.flow === "pkce") {
    const [state] = await tx<{ id: string; auth_code: string }[]>`
      select id, auth_code from auth_dev.flow_state
      where user_id = ${user.id} and authentication_method = ${flowMethod}
      order by created_at desc limit 1`;
    if (!state) {
      return new AuthError(
        400,
        "flow_state_not_found",
        "No associated flow state found. invalid flow state, no valid flow state found",
      );
    }
    await tx`update auth_dev.flow_state set auth_code_issued_at = ${now} where id = ${state.id}`;
    return { kind: "auth_code", authCode: state.auth_code };
  }
  const session = await issueSession(tx, ctx.tokens, { user, method: "otp", client, now });
  return { kind: "session", session };
}

async function signupVerify(tx: Query, user: UserRow, now: Date, ip: string | null) {
  await audit(tx, { user, action: "user_signedup", logType: "team", now, ip });
  const confirmed = await confirmUser(tx, user, now);
  await tx`
    update auth.identities
    set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = ${now}
    where user_id = ${user.id} and email = lower(${user.email ?? ""})`;
  return confirmed;
}

async function recoverVerify(tx: Query, user: UserRow, now: Date, ip: string | null) {
  await tx`update auth.users set recovery_token = '', updated_at = ${now} where id = ${user.id}`;
  await clearOneTimeTokens(tx, user.id);
  if (!user.email_confirmed_at) {
    await audit(tx, { user, action: "user_signedup", logType: "team", now, ip });
    return await confirmUser(tx, user, now);
  }
  await audit(tx, { user, action: "login", logType: "account", now, ip });
  return (await findUserById(tx, user.id))!;
}

/**
 * GoTrue's `emailChangeVerify`: with secure email change (and no autoconfirm)
 * the first of the two links only records itself; the second, or the only one,
 * moves the address.
 *
 * @returns the updated user, or null after the first of two confirmations
 */
async function emailChangeVerify(
  tx: Query,
  ctx: ServerContext,
  found: Verifiable,
  now: Date,
  ip: string | null,
): Promise<UserRow | null> {
  const user = found.user;
  if (
    !ctx.autoconfirm && ctx.secureEmailChange && (user.email_change_confirm_status ?? 0) === 0 &&
    user.email
  ) {
    if (user.token_type === "email_change_token_current") {
      await tx`update auth.users set email_change_token_current = '', email_change_confirm_status = 1
               where id = ${user.id}`;
    } else {
      await tx`update auth.users set email_change_token_new = '', email_change_confirm_status = 1
               where id = ${user.id}`;
    }
    await clearOneTimeTokens(tx, user.id, [user.token_type]);
    return null;
  }
  const newEmail = user.email_change ?? "";
  await audit(tx, { user, action: "user_modified", logType: "user", now, ip });
  const [identity] = await tx<{ id: string }[]>`
    select id from auth.identities where user_id = ${user.id} and provider = 'email'`;
  if (identity) {
    await tx`
      update auth.identities
      set identity_data = identity_data || ${
      tx.json({ email: newEmail, email_verified: true })
    }::jsonb,
          updated_at = ${now}
      where id = ${identity.id}`;
  } else {
    await tx`
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      values (${user.id}, ${user.id}, ${
      tx.json({ sub: user.id, email: newEmail, email_verified: true, phone_verified: false })
    }, 'email', ${now}, ${now}, ${now})`;
  }
  await tx`
    update auth.users set email = ${newEmail}, email_change = '', email_change_token_new = '',
      email_change_token_current = '', email_change_confirm_status = 0, updated_at = ${now}
    where id = ${user.id}`;
  await clearOneTimeTokens(tx, user.id, ["email_change_token_new", "email_change_token_current"]);
  return (await findUserById(tx, user.id))!;
}

/**
 * Inserts a user and their email identity (GoTrue's `signupNewUser` and
 * `createNewIdentity`) in the caller's transaction, so the product's
 * `on_auth_user_created` trigger runs in the same transaction.
 */
async function createEmailUser(
  tx: Query,
  params: { email: string; passwordHash: string; data: Body; now: Date },
): Promise<UserRow> {
  const { email, now } = params;
  const id = crypto.randomUUID();
  const appMetadata = { provider: "email", providers: ["email"] };
  await tx`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, confirmation_token, recovery_token,
      email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data,
      created_at, updated_at, is_sso_user, is_anonymous)
    values (
      '00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email},
      ${params.passwordHash}, '', '', '', '', ${tx.json(appMetadata)},
      ${tx.json(params.data as postgres.JSONValue)}, ${now}, ${now}, false, false)`;
  const identityData: Json = { sub: id, email, email_verified: false, phone_verified: false };
  for (const [key, value] of Object.entries(params.data)) {
    if (!(key in identityData)) identityData[key] = value;
  }
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${id}, ${id}, ${
    tx.json(identityData as postgres.JSONValue)
  }, 'email', ${now}, ${now}, ${now})`;
  return (await findUserById(tx, id))!;
}

/** GoTrue's `User.Confirm`: confirmed now, `email_verified` in the metadata, tokens cleared. */
async function confirmUser(tx: Query, user: UserRow, now: Date): Promise<UserRow> {
  if (!user.email_confirmed_at) {
    const metadata = mergeMetadata(user.raw_user_meta_data, { email_verified: true });
    await tx`
      update auth.users set email_confirmed_at = ${now}, confirmation_token = '',
        raw_user_meta_data = ${tx.json(metadata as postgres.JSONValue)}, updated_at = ${now}
      where id = ${user.id}`;
  }
  await clearOneTimeTokens(tx, user.id);
  return (await findUserById(tx, user.id))!;
}

async function withIdentities(tx: Query, userId: string): Promise<Json> {
  const user = (await findUserById(tx, userId))!;
  return userJson(user, await listIdentities(tx, userId));
}

/**
 * GoTrue's `sanitizeUser`: the answer to a repeated sign-up of a confirmed
 * address when confirmations are on, so accounts cannot be enumerated. The id
 * is random and `identities` is empty, which is how clients recognise it.
 */
function obfuscatedUser(user: UserRow, data: Body, now: Date): Json {
  const fake: UserRow = {
    ...user,
    id: crypto.randomUUID(),
    role: "",
    email_change: "",
    created_at: now,
    updated_at: now,
    confirmation_sent_at: now,
    last_sign_in_at: null,
    confirmed_at: null,
    email_change_sent_at: null,
    email_confirmed_at: null,
    phone_confirmed_at: null,
    raw_user_meta_data: data,
    aud: "authenticated",
    raw_app_meta_data: { provider: "email", providers: ["email"] },
    phone: "",
  };
  return userJson(fake, []);
}

/**
 * Runs a sign-up transaction. A database failure (for example the product's
 * `on_auth_user_created` trigger raising) rolls everything back and becomes
 * GoTrue's 500 "Database error saving new user".
 */
async function runSignupTransaction<T>(
  ctx: ServerContext,
  fn: (tx: Query) => Promise<T>,
): Promise<T> {
  try {
    return await ctx.sql.begin(fn) as T;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    const pg = error as Partial<postgres.PostgresError>;
    if (pg.code === "23505" && String(pg.constraint_name ?? "").includes("email")) {
      throw new AuthError(422, "user_already_exists", "User already registered");
    }
    if (typeof pg.code === "string") {
      ctx.log?.error("Auth sign-up failed in the database", {
        error: pg.message,
        code: pg.code,
        where: pg.where,
      });
      throw new AuthError(500, "unexpected_failure", "Database error saving new user", {
        cause: error,
      });
    }
    throw error;
  }
}

/** Redeems a PKCE auth code (`grant_type=pkce`) for a session. */
export async function pkceGrant(
  ctx: ServerContext,
  req: Request,
  body: Body,
): Promise<Response> {
  const authCode = stringField(body, "auth_code");
  const verifier = stringField(body, "code_verifier");
  if (!authCode || !verifier) {
    throw new AuthError(
      400,
      "validation_failed",
      "invalid request: both auth code and code verifier should be non-empty",
    );
  }
  const client = clientInfo(req);
  const challengeOf = async (method: string) => {
    if (method === "plain") return verifier;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    return btoa(String.fromCharCode(...new Uint8Array(digest))).replaceAll("+", "-")
      .replaceAll("/", "_").replace(/=+$/, "");
  };
  const outcome = await ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    const [state] = await tx<
      {
        id: string;
        user_id: string | null;
        code_challenge: string;
        code_challenge_method: string;
        authentication_method: string;
        auth_code_issued_at: Date | null;
        created_at: Date;
      }[]
    >`select * from auth_dev.flow_state where auth_code = ${authCode} for update`;
    if (!state || !state.user_id) {
      return new AuthError(
        404,
        "flow_state_not_found",
        "invalid flow state, no valid flow state found",
      );
    }
    const issued = state.auth_code_issued_at ?? state.created_at;
    if (now.getTime() > issued.getTime() + 300_000) {
      return new AuthError(
        422,
        "flow_state_expired",
        "invalid flow state, flow state has expired",
      );
    }
    if ((await challengeOf(state.code_challenge_method)) !== state.code_challenge) {
      return new AuthError(
        400,
        "bad_code_verifier",
        "code challenge does not match previously saved code verifier",
      );
    }
    const user = await findUserById(tx, state.user_id);
    if (!user) {
      return new AuthError(404, "user_not_found", "User not found");
    }
    await tx`delete from auth_dev.flow_state where id = ${state.id}`;
    await audit(tx, { user, action: "login", logType: "account", now, ip: client.ip });
    const method = (["password", "otp", "magiclink", "email/signup", "email_change"].includes(
        state.authentication_method,
      )
      ? state.authentication_method
      : "otp") as AuthMethod;
    return await issueSession(tx, ctx.tokens, { user, method, client, now });
  });
  if (outcome instanceof AuthError) throw outcome;
  return json(outcome);
}
