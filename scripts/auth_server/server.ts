import { Hono } from "hono";
import { cors } from "hono/cors";
import type { JSONWebKeySet } from "jose";
import type { Sql } from "../../shared/db/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import {
  handleOtp,
  handleRecover,
  handleSignup,
  handleVerifyGet,
  handleVerifyPost,
} from "./_account.ts";
import { json, type ServerContext } from "./_context.ts";
import { AuthError, errorResponse, OAuthError } from "./_errors.ts";
import { loadSigningKeys } from "./_keys.ts";
import { createMailbox, type Mailbox } from "./_mailer.ts";
import { createRateLimiter, type RateLimit, type RateLimitedAction } from "./_rate_limit.ts";
import {
  createMemoryRateLimiter,
  type RateLimiter as SharedRateLimiter,
} from "../../shared/http/rate_limiter.ts";
import {
  forwardedAddress,
  parseTrustedProxies,
  type TrustedProxies,
} from "../../shared/http/client_address.ts";
import { type PasswordHook, passwordHookFromEnv } from "./_hooks.ts";
import { ensureDevSchema } from "./_schema.ts";
import { handleGetUser, handleLogout, handleToken, handleUpdateUser } from "./_user.ts";

/** Options for {@linkcode createAuthServer}. */
export interface AuthServerOptions {
  /** postgres.js pool on the login role (bypasses RLS). */
  sql: Sql;
  /** Public origin of the stack, e.g. "http://localhost:8000"; the API is at `${siteUrl}/auth/v1`. */
  siteUrl: string;
  /** Require email confirmation before sign-in. Default false ("autoconfirm" on). */
  requireEmailConfirmation?: boolean;
  /** Access-token lifetime. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Milliseconds clock, for expiry tests. Default `Date.now`. */
  now?: () => number;
  /** Where captured emails are printed (one readable line with the link). */
  log?: Logger;
  /** Minimum password length. Default 8. */
  passwordMinLength?: number;
  /** Character sets a password must each use once, as GoTrue's `required_characters`. Default none. */
  passwordRequiredCharacters?: string[];
  /** How long a rotated refresh token may still be exchanged (GoTrue's reuse interval). Default 10. */
  refreshTokenReuseIntervalSeconds?: number;
  /** Lifetime of email codes and links. Default 3600. */
  otpExpirySeconds?: number;
  /** Minimum gap between two emails of one kind to one user. Default 1 (the Supabase CLI's). */
  emailMaxFrequencySeconds?: number;
  /** Email changes need both the old and the new address to confirm. Default true. */
  secureEmailChange?: boolean;
  /**
   * Per-endpoint limits, counted per IP and per email address; defaults are
   * `DEFAULT_RATE_LIMITS` (strict, close to hosted Supabase Auth's).
   */
  rateLimits?: Partial<Record<RateLimitedAction, RateLimit>>;
  /**
   * Proxies whose `X-Forwarded-For` is believed (comma-separated addresses or
   * CIDRs, as TRUSTED_PROXIES); default none.
   */
  trustedProxies?: string;
  /**
   * Where the counts live: the product's limiter (the dev stack passes the one on
   * its Redis); by default in this process, on the server's clock.
   */
  limiter?: SharedRateLimiter;
  /**
   * Supabase Auth's "password verification attempt" hook (URI and `v1,whsec_…`
   * secret). Default: from GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_URI and _SECRETS.
   */
  passwordHook?: PasswordHook | null;
}

/** A running local Supabase Auth stand-in. */
export interface AuthServer {
  /** Handles requests under `/auth/v1/*` (the full path, prefix included). */
  /**
   * With the connection's `info`, `X-Forwarded-For` is replaced by the peer's
   * address unless the peer is one of `trustedProxies`, so a client cannot pick
   * the address its requests are limited and recorded under.
   */
  fetch(req: Request, info?: { remoteAddr: Deno.Addr }): Promise<Response>;
  /** The public keys, as `GET /auth/v1/.well-known/jwks.json` serves them. */
  jwks(): Promise<JSONWebKeySet>;
  /** A JWT `apikey` shaped like Supabase's legacy anon key (role `anon`). */
  anonKey: string;
  /** The same for role `service_role`. */
  serviceRoleKey: string;
  /** Emails the server would have sent. */
  mailbox: Mailbox;
}

/**
 * Starts the local Supabase Auth (GoTrue) stand-in on the project database:
 * creates its `auth_dev` schema if needed, loads or creates its ES256 signing
 * key, and returns a fetch handler that speaks GoTrue's HTTP API so the real
 * `@supabase/supabase-js` works against it unchanged.
 *
 * @param options database pool, site URL, confirmation mode, clock and limits
 * @throws {Error} when `siteUrl` is not an http(s) URL
 *
 * @example
 * ```ts
 * const auth = await createAuthServer({ sql: db.sql, siteUrl: "http://localhost:8000" });
 * Deno.serve((req) => auth.fetch(req));
 * ```
 */
export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const siteUrl = options.siteUrl.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(siteUrl)) {
    throw new Error(
      `Cannot start the auth server: siteUrl must be an http(s) URL, got "${options.siteUrl}"`,
    );
  }
  const clock = options.now ?? Date.now;
  const trusted = parseTrustedProxies(options.trustedProxies ?? "");
  await ensureDevSchema(options.sql);
  const keys = await loadSigningKeys(options.sql, clock());
  const apiUrl = `${siteUrl}/auth/v1`;
  const ctx: ServerContext = {
    sql: options.sql,
    siteUrl,
    apiUrl,
    autoconfirm: !options.requireEmailConfirmation,
    passwordHook: options.passwordHook === undefined
      ? passwordHookFromEnv(Deno.env)
      : options.passwordHook,
    secureEmailChange: options.secureEmailChange ?? true,
    tokens: {
      keys,
      issuer: apiUrl,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      refreshTokenReuseIntervalSeconds: options.refreshTokenReuseIntervalSeconds ?? 10,
    },
    rules: {
      minLength: options.passwordMinLength ?? 8,
      requiredCharacters: options.passwordRequiredCharacters ?? [],
    },
    otpExpiryMs: (options.otpExpirySeconds ?? 3600) * 1000,
    emailMaxFrequencyMs: (options.emailMaxFrequencySeconds ?? 1) * 1000,
    limiter: createRateLimiter(
      options.limiter ?? createMemoryRateLimiter(clock),
      options.rateLimits,
    ),
    log: options.log,
    now: () => new Date(clock()),
  };
  const mailbox = createMailbox(options.sql);

  const app = new Hono().basePath("/auth/v1");
  app.use(
    cors({
      origin: (origin) => origin || "*",
      exposeHeaders: ["X-Supabase-Api-Version", "x-sb-error-code"],
      maxAge: 600,
    }),
  );

  app.get("/health", () =>
    json({
      version: "local",
      name: "GoTrue",
      description: "GoTrue is a user registration and authentication API",
    }));
  app.get("/settings", () => json(settings(ctx)));
  app.get("/.well-known/jwks.json", () =>
    new Response(JSON.stringify(keys.jwks()), {
      headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=600" },
    }));
  app.post("/signup", (c) => handleSignup(ctx, c.req.raw));
  app.post("/token", (c) => handleToken(ctx, c.req.raw));
  app.post("/logout", (c) => handleLogout(ctx, c.req.raw));
  app.get("/user", (c) => handleGetUser(ctx, c.req.raw));
  app.put("/user", (c) => handleUpdateUser(ctx, c.req.raw));
  app.post("/recover", (c) => handleRecover(ctx, c.req.raw));
  app.post("/otp", (c) => handleOtp(ctx, c.req.raw));
  app.get("/verify", (c) => handleVerifyGet(ctx, c.req.raw));
  app.post("/verify", (c) => handleVerifyPost(ctx, c.req.raw));

  // Dev-only: read and empty the captured emails.
  app.get("/_dev/mailbox", async (c) => {
    const to = c.req.query("to");
    return json({ messages: await mailbox.list(to ? { to } : {}) });
  });
  app.delete("/_dev/mailbox", async () => {
    await mailbox.clear();
    return new Response(null, { status: 204 });
  });
  // Dev-only: the text messages of SMS alert channels (`?to=+1…` filters, newest first).
  app.get("/_dev/sms", async (c) => {
    const to = c.req.query("to") ?? null;
    const rows = await options.sql<{ id: string; to: string; body: string; created_at: Date }[]>`
      select id, to_phone as to, body, created_at from auth_dev.sms_outbox
      where ${to}::text is null or to_phone = ${to}
      order by created_at desc, id limit 200`;
    return json({ messages: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) });
  });
  app.delete("/_dev/sms", async () => {
    await options.sql`delete from auth_dev.sms_outbox`;
    return new Response(null, { status: 204 });
  });

  app.notFound((c) => errorResponse(new AuthError(404, "not_found", "Not found"), c.req.raw));
  app.onError((error, c) => {
    if (error instanceof AuthError || error instanceof OAuthError) {
      return errorResponse(error, c.req.raw);
    }
    const errorId = crypto.randomUUID();
    options.log?.error("Auth request failed", {
      errorId,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error,
    });
    return errorResponse(
      new AuthError(
        500,
        "unexpected_failure",
        "Unexpected failure, please check server logs for more information",
      ),
      c.req.raw,
      errorId,
    );
  });

  return {
    fetch: async (req, info) => await app.fetch(withCallerAddress(req, info, trusted)),
    jwks: () => Promise.resolve(keys.jwks()),
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
    mailbox,
  };
}

/** GoTrue's `GET /settings`: which providers are on, and the confirmation mode. */
function settings(ctx: ServerContext): Record<string, unknown> {
  const providers = [
    "anonymous_users",
    "apple",
    "azure",
    "bitbucket",
    "discord",
    "facebook",
    "figma",
    "fly",
    "github",
    "gitlab",
    "google",
    "keycloak",
    "kakao",
    "linkedin",
    "linkedin_oidc",
    "notion",
    "spotify",
    "slack",
    "slack_oidc",
    "workos",
    "twitch",
    "twitter",
    "x",
    "email",
    "phone",
    "zoom",
  ];
  return {
    external: Object.fromEntries(providers.map((p) => [p, p === "email"])),
    disable_signup: false,
    mailer_autoconfirm: ctx.autoconfirm,
    phone_autoconfirm: false,
    sms_provider: "",
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  };
}

/** The request with `X-Forwarded-For` set to the caller's address, when the connection is known. */
function withCallerAddress(
  req: Request,
  info: { remoteAddr: Deno.Addr } | undefined,
  trusted: TrustedProxies,
): Request {
  const addr = info?.remoteAddr;
  if (!addr || !("hostname" in addr)) return req;
  const headers = new Headers(req.headers);
  headers.set(
    "x-forwarded-for",
    forwardedAddress(addr.hostname, headers.get("x-forwarded-for"), trusted),
  );
  headers.delete("x-real-ip");
  return new Request(req, { headers });
}
