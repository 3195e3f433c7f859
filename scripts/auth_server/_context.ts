// What every handler shares: configuration, the clock, request parsing, the
// bearer-token check and the three kinds of email GoTrue sends.

import type { PasswordHook } from "./_hooks.ts";
import type { Sql } from "../../shared/db/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { generateOtp, tokenHash } from "./_crypto.ts";
import { AuthError } from "./_errors.ts";
import { type MailMessage, type MailType, storeMail } from "./_mailer.ts";
import type { PasswordRules } from "./_password.ts";
import type { RateLimiter } from "./_rate_limit.ts";
import type { ClientInfo, TokenContext } from "./_sessions.ts";
import { findUserById, putOneTimeToken, type Query, type UserRow } from "./_users.ts";

/** Server-wide state handed to every handler. */
export interface ServerContext {
  sql: Sql;
  /** `siteUrl` without a trailing slash. */
  siteUrl: string;
  /** `${siteUrl}/auth/v1`: the issuer and the base of email links. */
  apiUrl: string;
  /** GoTrue's `MAILER_AUTOCONFIRM`: sign-ups are confirmed without an email. */
  autoconfirm: boolean;
  secureEmailChange: boolean;
  tokens: TokenContext;
  rules: PasswordRules;
  otpExpiryMs: number;
  emailMaxFrequencyMs: number;
  limiter: RateLimiter;
  /** Supabase Auth's password verification attempt hook, when configured. */
  passwordHook?: PasswordHook | null;
  log?: Logger;
  now(): Date;
}

/** Any JSON object a request sent. */
export type Body = Record<string, unknown>;

const MAX_BODY_BYTES = 1 << 20;
// checkmail's format check, which GoTrue uses.
const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/**
 * Reads the request body as a JSON object, as GoTrue's `retrieveRequestParams`.
 *
 * @throws {AuthError} 400 `bad_json` for an unreadable, oversized or non-object body
 */
export async function readJson(req: Request): Promise<Body> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) {
    throw new AuthError(400, "bad_json", "Could not read body: request body is larger than 1 MiB");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AuthError(400, "bad_json", `Could not parse request body as JSON: ${reason}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AuthError(
      400,
      "bad_json",
      "Could not parse request body as JSON: expected an object",
    );
  }
  return parsed as Body;
}

/**
 * A string field; absent and null read as "".
 *
 * @throws {AuthError} 400 `bad_json` when the field has another type
 */
export function stringField(body: Body, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new AuthError(
      400,
      "bad_json",
      `Could not parse request body as JSON: field "${key}" must be a string`,
    );
  }
  return value;
}

/**
 * An object field; absent and null read as undefined.
 *
 * @throws {AuthError} 400 `bad_json` when the field has another type
 */
export function objectField(body: Body, key: string): Body | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new AuthError(
      400,
      "bad_json",
      `Could not parse request body as JSON: field "${key}" must be an object`,
    );
  }
  return value as Body;
}

/**
 * Checks and normalises an email address as GoTrue's `validateEmail` does.
 *
 * @throws {AuthError} 400 `validation_failed`
 */
export function validateEmail(raw: string): string {
  const email = raw.trim();
  if (!email) throw new AuthError(400, "validation_failed", "An email address is required");
  if (email.length > 255) {
    throw new AuthError(400, "validation_failed", "An email address is too long");
  }
  if (!EMAIL_FORMAT.test(email)) {
    throw new AuthError(
      400,
      "validation_failed",
      "Unable to validate email address: invalid format",
    );
  }
  return email.toLowerCase();
}

/** The client's address (first `X-Forwarded-For` hop) and user agent. */
export function clientInfo(req: Request): ClientInfo {
  const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const candidate = forwarded || req.headers.get("x-real-ip")?.trim() || null;
  const ip = candidate && /^[0-9a-fA-F:.]+$/.test(candidate) ? candidate : null;
  return { ip, userAgent: req.headers.get("user-agent") };
}

/** Keys to rate-limit a request by: its IP and, when given, the email address. */
export function limitKeys(req: Request, email?: string): string[] {
  const keys = [`ip:${clientInfo(req).ip ?? "local"}`];
  if (email) keys.push(`email:${email.toLowerCase()}`);
  return keys;
}

/**
 * Whether `url` may be redirected to: only addresses under the site URL
 * (same origin, path inside the site's path).
 */
export function isAllowedRedirect(ctx: ServerContext, url: string): boolean {
  let target: URL;
  let site: URL;
  try {
    target = new URL(url);
    site = new URL(ctx.siteUrl);
  } catch {
    return false;
  }
  if (target.origin !== site.origin) return false;
  const base = site.pathname.endsWith("/") ? site.pathname : `${site.pathname}/`;
  return target.pathname === site.pathname || target.pathname.startsWith(base) ||
    site.pathname === "/";
}

/**
 * GoTrue's `GetReferrer`: the `redirect_to` query parameter, else the Referer
 * header, when allowed; otherwise the site URL.
 */
export function referrer(ctx: ServerContext, req: Request): string {
  const query = new URL(req.url).searchParams.get("redirect_to");
  if (query && isAllowedRedirect(ctx, query)) return query;
  const header = req.headers.get("referer");
  if (header && isAllowedRedirect(ctx, header)) return header;
  return ctx.siteUrl;
}

/** The signed-in caller of an endpoint that requires a user. */
export interface Caller {
  user: UserRow;
  /** The `session_id` claim, when the token has one that exists. */
  sessionId: string | null;
}

/**
 * GoTrue's `requireAuthentication`: a valid bearer access token whose user
 * (and session, when the token names one) still exists.
 *
 * @throws {AuthError} 401 `no_authorization`, 403 `bad_jwt`, `user_not_found`,
 *   `session_not_found` or `user_banned`
 */
export async function requireUser(ctx: ServerContext, req: Request): Promise<Caller> {
  const match = /^[Bb]earer (\S+)$/.exec(req.headers.get("authorization") ?? "");
  if (!match) {
    throw new AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token");
  }
  const now = ctx.now();
  const claims = await ctx.tokens.keys.verify(match[1]!, now.getTime());
  const sub = typeof claims.sub === "string" ? claims.sub : "";
  if (!sub) throw new AuthError(403, "bad_jwt", "invalid claim: missing sub claim");
  if (!UUID_FORMAT.test(sub)) {
    throw new AuthError(400, "bad_jwt", "invalid claim: sub claim must be a UUID");
  }
  const user = await findUserById(ctx.sql, sub);
  if (!user) {
    throw new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");
  }
  let sessionId: string | null = null;
  const sid = claims.session_id;
  if (typeof sid === "string" && sid !== "" && sid !== NIL_UUID) {
    if (!UUID_FORMAT.test(sid)) {
      throw new AuthError(403, "bad_jwt", "invalid claim: session_id claim must be a UUID");
    }
    const [session] = await ctx.sql<{ id: string }[]>`
      select id from auth.sessions where id = ${sid}`;
    if (!session) {
      throw new AuthError(
        403,
        "session_not_found",
        "Session from session_id claim in JWT does not exist",
      );
    }
    sessionId = session.id;
  }
  if (isBanned(user, now)) throw new AuthError(403, "user_banned", "User is banned");
  return { user, sessionId };
}

/** Whether the user is banned at `now`. */
export function isBanned(user: UserRow, now: Date): boolean {
  return !!user.banned_until && user.banned_until.getTime() > now.getTime();
}

/** PKCE parameters a flow was started with; null for the implicit flow. */
export interface Pkce {
  codeChallenge: string;
  method: "s256" | "plain";
}

/**
 * Reads `code_challenge` and `code_challenge_method`, as GoTrue's
 * `validatePKCEParams`.
 *
 * @throws {AuthError} 400 `validation_failed`
 */
export function readPkce(body: Body): Pkce | null {
  const challenge = stringField(body, "code_challenge");
  const method = stringField(body, "code_challenge_method").toLowerCase();
  if (!challenge && !method) return null;
  if (!challenge || !method) {
    throw new AuthError(
      400,
      "validation_failed",
      "PKCE flow requires code_challenge_method and code_challenge",
    );
  }
  if (challenge.length < 43 || challenge.length > 128) {
    throw new AuthError(
      400,
      "validation_failed",
      "code challenge has to be between 43 and 128 characters",
    );
  }
  if (method !== "s256" && method !== "plain") {
    throw new AuthError(400, "validation_failed", `code challenge method ${method} not supported`);
  }
  return { codeChallenge: challenge, method };
}

/** Records a PKCE flow for `userId`, to be redeemed with an auth code later. */
export async function createFlowState(
  tx: Query,
  params: { userId: string; pkce: Pkce; authenticationMethod: string; now: Date },
): Promise<void> {
  await tx`
    insert into auth_dev.flow_state
      (id, user_id, auth_code, code_challenge, code_challenge_method, authentication_method, created_at)
    values (${crypto.randomUUID()}, ${params.userId}, ${crypto.randomUUID()},
            ${params.pkce.codeChallenge}, ${params.pkce.method}, ${params.authenticationMethod},
            ${params.now})`;
}

/**
 * Throws GoTrue's 429 when the last email of this kind went out less than the
 * configured interval ago.
 */
function assertEmailFrequency(ctx: ServerContext, sentAt: Date | null, now: Date): void {
  if (!sentAt || ctx.emailMaxFrequencyMs <= 0) return;
  const left = sentAt.getTime() + ctx.emailMaxFrequencyMs - now.getTime();
  if (left > 0) {
    throw new AuthError(
      429,
      "over_email_send_rate_limit",
      `For security purposes, you can only request this after ${
        Math.max(1, Math.floor(left / 1000))
      } seconds.`,
    );
  }
}

function verifyLink(ctx: ServerContext, token: string, type: MailType, redirectTo: string) {
  return `${ctx.apiUrl}/verify?token=${encodeURIComponent(token)}&type=${type}&redirect_to=${
    encodeURIComponent(redirectTo)
  }`;
}

/**
 * Sends the sign-up confirmation: a fresh code, its hash in
 * `confirmation_token` and `auth.one_time_tokens`, and an email.
 */
export async function sendConfirmation(
  tx: Query,
  ctx: ServerContext,
  params: { user: UserRow; redirectTo: string; pkce: boolean; now: Date },
): Promise<MailMessage> {
  const { user, now } = params;
  assertEmailFrequency(ctx, user.confirmation_sent_at, now);
  const email = user.email ?? "";
  const otp = generateOtp();
  const hash = (params.pkce ? "pkce_" : "") + tokenHash(email, otp);
  await tx`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = ${now}
           where id = ${user.id}`;
  await putOneTimeToken(tx, {
    userId: user.id,
    type: "confirmation_token",
    hash,
    relatesTo: email,
    now,
  });
  return await storeMail(tx, {
    to: email,
    type: "signup",
    otp,
    link: verifyLink(ctx, hash, "signup", params.redirectTo),
  }, now);
}

/**
 * Sends a password-recovery or magic-link email; both use `recovery_token`.
 */
export async function sendRecovery(
  tx: Query,
  ctx: ServerContext,
  params: {
    user: UserRow;
    type: "recovery" | "magiclink";
    redirectTo: string;
    pkce: boolean;
    now: Date;
  },
): Promise<MailMessage> {
  const { user, now } = params;
  assertEmailFrequency(ctx, user.recovery_sent_at, now);
  const email = user.email ?? "";
  const otp = generateOtp();
  const hash = (params.pkce ? "pkce_" : "") + tokenHash(email, otp);
  await tx`update auth.users set recovery_token = ${hash}, recovery_sent_at = ${now}
           where id = ${user.id}`;
  await putOneTimeToken(tx, {
    userId: user.id,
    type: "recovery_token",
    hash,
    relatesTo: email,
    now,
  });
  return await storeMail(tx, {
    to: email,
    type: params.type,
    otp,
    link: verifyLink(ctx, hash, params.type, params.redirectTo),
  }, now);
}

/**
 * Starts an email change: a code for the new address and, with secure email
 * change on, one for the current address; each gets its own email.
 */
export async function sendEmailChange(
  tx: Query,
  ctx: ServerContext,
  params: { user: UserRow; newEmail: string; redirectTo: string; pkce: boolean; now: Date },
): Promise<MailMessage[]> {
  const { user, newEmail, now } = params;
  assertEmailFrequency(ctx, user.email_change_sent_at, now);
  const prefix = params.pkce ? "pkce_" : "";
  const otpNew = generateOtp();
  const hashNew = prefix + tokenHash(newEmail, otpNew);
  const current = user.email ?? "";
  const otpCurrent = ctx.secureEmailChange && current ? generateOtp() : "";
  const hashCurrent = otpCurrent ? prefix + tokenHash(current, otpCurrent) : "";
  await tx`
    update auth.users set email_change = ${newEmail}, email_change_token_new = ${hashNew},
      email_change_token_current = ${hashCurrent}, email_change_confirm_status = 0,
      email_change_sent_at = ${now}
    where id = ${user.id}`;
  const messages: MailMessage[] = [];
  await putOneTimeToken(tx, {
    userId: user.id,
    type: "email_change_token_new",
    hash: hashNew,
    relatesTo: newEmail,
    now,
  });
  messages.push(
    await storeMail(tx, {
      to: newEmail,
      type: "email_change",
      otp: otpNew,
      newEmail,
      link: verifyLink(ctx, hashNew, "email_change", params.redirectTo),
    }, now),
  );
  if (hashCurrent) {
    await putOneTimeToken(tx, {
      userId: user.id,
      type: "email_change_token_current",
      hash: hashCurrent,
      relatesTo: current,
      now,
    });
    messages.push(
      await storeMail(tx, {
        to: current,
        type: "email_change",
        otp: otpCurrent,
        newEmail,
        link: verifyLink(ctx, hashCurrent, "email_change", params.redirectTo),
      }, now),
    );
  } else {
    await tx`delete from auth.one_time_tokens
             where user_id = ${user.id} and token_type = 'email_change_token_current'`;
  }
  return messages;
}
