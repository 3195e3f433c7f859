import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { ApiKeyPrincipal } from "../api_keys/verifier.ts";
import type { TokenVerifier } from "../auth/mod.ts";
import { apiKeyClaims } from "../db/mod.ts";
import { can, minimumRole } from "../permissions/mod.ts";
import type { ApiKeyAuthenticator } from "./api_key_auth.ts";
import type { AppEnv } from "./app.ts";
import { HttpError } from "./errors.ts";
import { type AuthKind, findDeclared, type RouteDeclaration } from "./route.ts";
import { clientAddress, type TrustedProxies } from "./client_address.ts";
import { type ActorKind, type RequestContext, withRequestContext } from "../db/mod.ts";

/** Who is calling, as the gate established it. */
export type Principal =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string }
  /** An organization API key: its own principal, for exactly `orgId` with `role`. */
  | { kind: "api_key"; keyId: string; orgId: string; role: "viewer" | "analyst" }
  | { kind: "worker"; messageId: string | null }
  | { kind: "metrics" };

/** Proves a QStash delivery (a `worker` route); throws `HttpError` 401 when it is not one. */
export type WorkerVerifier = (c: Context<AppEnv>) => Promise<{ messageId: string | null }>;

/** What the gate checks credentials with. */
export interface GateOptions {
  verifier: TokenVerifier;
  /** The scrape credential of `/metrics`; without it `/metrics` refuses everyone. */
  metricsToken?: string;
  /** Verifies QStash deliveries; without it `worker` routes refuse everyone. */
  worker?: WorkerVerifier;
  /** Verifies API keys; without it a key is refused everywhere (401 `api_keys_unavailable`). */
  apiKeys?: ApiKeyAuthenticator;
  /**
   * Called once for every request a key makes that passed the gate: the hook
   * for per-key (and per-organization) call metering. Must not throw.
   */
  onApiKeyCall?: (principal: ApiKeyPrincipal, c: Context<AppEnv>) => void;
  /** Proxies whose `X-Forwarded-For` is believed for the address the audit trail records. */
  trustedProxies?: TrustedProxies;
}

/**
 * The function app's one authentication step, run before any handler: it finds
 * the declaration of the route that matched and demands the credential its
 * auth kind names. A route without a declaration is treated as `user` (deny by
 * default), whatever order `app.use` lines come in. Sets `principal` (and
 * `claims`/`userId` for users, `claims` for API keys) on the context, and runs
 * the rest of the request inside its request context (who, from where, which
 * action) for the audit trail. An `api_key` route takes a user's token or an API
 * key (`ciq_…`); any other route refuses a valid key with 403 `api_key_not_allowed`.
 *
 * @param options the token verifier, the metrics credential and the worker verifier
 */
export function gate(options: GateOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const routes = matchedRoutes(c);
    const declared = findDeclared(routes);
    // No handler matched: the 404 is public. A handler without a declaration: `user`.
    const handled = routes.some((route) => route.method !== "ALL");
    const kind: AuthKind = declared?.declaration.auth ?? (handled ? "user" : "public");
    switch (kind) {
      case "public":
        c.set("principal", { kind: "anonymous" });
        break;
      case "user":
        if (isApiKey(c)) {
          // Verified first, so a wrong key is 401 and a good one learns why it is refused.
          await verifyApiKey(c, options);
          throw new HttpError(
            403,
            "This endpoint needs a signed-in user; API keys cannot call it",
            {
              code: "api_key_not_allowed",
            },
          );
        }
        await authenticateUser(c, options.verifier, declared?.declaration.tokenInQuery ?? false);
        break;
      case "worker": {
        if (!options.worker) {
          throw refused("invalid_signature", "This endpoint only takes QStash deliveries");
        }
        const { messageId } = await options.worker(c);
        c.set("principal", { kind: "worker", messageId });
        break;
      }
      case "api_key":
        if (isApiKey(c)) {
          await authenticateApiKey(c, options, declared!.declaration);
        } else {
          await authenticateUser(c, options.verifier, declared?.declaration.tokenInQuery ?? false);
        }
        break;
      case "metrics":
        checkMetricsToken(c, options.metricsToken);
        c.set("principal", { kind: "metrics" });
        break;
    }
    const context = requestContext(c, declared, options.trustedProxies);
    await withRequestContext(context, () => next());
  };
}

const ACTOR_OF: Record<Principal["kind"], ActorKind> = {
  anonymous: "anonymous",
  user: "user",
  worker: "worker",
  metrics: "service",
  api_key: "api_key",
};

function requestContext(
  c: Context<AppEnv>,
  declared: { route: { path: string }; declaration: RouteDeclaration } | undefined,
  trusted: TrustedProxies = () => false,
): RequestContext {
  const principal = c.get("principal");
  const declaration = declared?.declaration;
  const route = declared ? `${c.req.method} ${declared.route.path}` : null;
  return {
    request_id: c.get("requestId") ?? null,
    ip: clientAddress(c, trusted),
    user_agent: c.req.header("user-agent")?.slice(0, 500) ?? null,
    actor_kind: ACTOR_OF[principal.kind],
    actor_id: principal.kind === "user"
      ? principal.userId
      : principal.kind === "worker"
      ? principal.messageId
      : principal.kind === "api_key"
      ? principal.keyId
      : null,
    action: declaration?.permission ?? null,
    route,
  };
}

async function authenticateUser(
  c: Context<AppEnv>,
  verifier: TokenVerifier,
  queryToken: boolean,
): Promise<void> {
  const header = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  const token = header ?? (queryToken ? c.req.query("access_token") : undefined);
  if (!token) throw refused("missing_token", "Sign in first: this endpoint needs a bearer token");
  const claims = await verifier.verify(token);
  c.set("claims", claims);
  c.set("userId", claims.sub);
  c.set("principal", { kind: "user", userId: claims.sub });
}

function isApiKey(c: Context<AppEnv>): boolean {
  const header = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  return header?.startsWith("ciq_") ?? false;
}

function verifyApiKey(c: Context<AppEnv>, options: GateOptions): Promise<ApiKeyPrincipal> {
  if (!options.apiKeys) {
    throw refused("api_keys_unavailable", "API keys are not accepted here: sign in instead");
  }
  return options.apiKeys(c);
}

/**
 * A key runs as its own principal: claims with no user (`sub` null) naming the
 * key and its organization, which the database's policy helpers admit for that
 * organization and the key's role only. The permission matrix applies with the
 * key's role here already, so a viewer key is refused before any handler runs.
 */
async function authenticateApiKey(
  c: Context<AppEnv>,
  options: GateOptions,
  declaration: RouteDeclaration,
): Promise<void> {
  const key = await verifyApiKey(c, options);
  if (declaration.permission && !can(key.role, declaration.permission)) {
    throw new HttpError(
      403,
      `This API key is ${key.role === "viewer" ? "a viewer" : "an analyst"} key; it cannot do this`,
      {
        code: "insufficient_role",
        details: {
          required: minimumRole(declaration.permission),
          actual: key.role,
          action: declaration.permission,
        },
      },
    );
  }
  c.set("claims", apiKeyClaims(key.keyId, key.orgId));
  c.set("principal", { kind: "api_key", ...key });
  options.onApiKeyCall?.(key, c);
}

function checkMetricsToken(c: Context<AppEnv>, expected: string | undefined): void {
  if (!expected) {
    throw refused("metrics_disabled", "Metrics scraping is off: set METRICS_TOKEN to enable it");
  }
  const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!timingSafeEqual(given, expected)) {
    throw refused("invalid_metrics_token", "Send the scrape credential as a bearer token");
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) diff |= (x[i % Math.max(1, x.length)] ?? 0) ^ y[i]!;
  return diff === 0;
}

function refused(code: string, message: string): HttpError {
  return new HttpError(401, message, { code });
}
