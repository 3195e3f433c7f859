import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Mailer } from "../mail/mod.ts";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import type { TokenVerifier } from "../auth/mod.ts";
import type { Cache } from "../cache/mod.ts";
import type { Database, RequestClaims, TenantClaims, Tx } from "../db/mod.ts";
import { type Config, ConfigError } from "../env/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { TaskClient } from "../tasks/mod.ts";
import { HttpError, httpErrorFromPostgres } from "./errors.ts";
import { gate, type Principal, type WorkerVerifier } from "./gate.ts";
import { metricsRegistry, observeRequest, setQueueGauges } from "./metrics.ts";
import { apiRateLimit } from "./api_rate_limit.ts";
import { apiKeyAuthenticator } from "./api_key_auth.ts";
import { parseTrustedProxies } from "./client_address.ts";
import { createApiKeyVerifier } from "../api_keys/verifier.ts";
import { countApiKeyCall } from "../api_keys/usage.ts";
import { openApiDocument } from "./openapi.ts";
import { checkResponses } from "./response_check.ts";
import { createRouteGroup } from "./route.ts";
import { meter } from "../billing/usage.ts";

/** What every function is built from; created once per process. */
export interface Services {
  config: Config;
  db: Database;
  log: Logger;
  auth: TokenVerifier;
  /** Starts background work (jobs) and manages cron schedules, through QStash. */
  tasks: TaskClient;
  /** Shared key-value cache (Redis, or in-process when no Redis is configured). */
  cache: Cache;
  /** Sends the product's own emails (invitations); from the configuration when absent. */
  mailer?: Mailer;
}

/** Context variables every handler can read with `c.get(...)`. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Who is calling, set by the gate from the route's declaration. */
    principal: Principal;
    /**
     * Set by the gate on `user` and `api_key` routes (and by {@linkcode requireUser}):
     * a user's claims, or on `api_key` routes an API key's (`sub` null).
     */
    claims: RequestClaims;
    /** Set by the gate for a signed-in user (never for an API key). */
    userId: string;
  };
}

/** A function's Hono app, typed with {@linkcode AppEnv}. */
export type FunctionApp = Hono<AppEnv>;

/** Options of {@linkcode createFunctionApp}. */
export interface FunctionAppOptions {
  /** What the function does: the description of its OpenAPI document. */
  description?: string;
  /** Verifies QStash deliveries for the function's `worker` routes. */
  worker?: WorkerVerifier;
}

/**
 * Builds the app a domain function starts from: base path `/<name>` (what
 * Supabase hands a function), request ids, JSON logs, CORS, security headers,
 * the body-size limit, the gate (each route's declared auth kind, deny by
 * default), the one error shape, and the declared routes `/health`, `/ready`,
 * `/metrics` (scrape credential) and `/openapi.json`.
 *
 * @param name the function name, e.g. "organizations"
 * @param services configuration, database, logger and token verifier
 * @param options the OpenAPI description and the worker verifier
 */
export function createFunctionApp(
  name: string,
  services: Services,
  options: FunctionAppOptions = {},
): FunctionApp {
  const app = new Hono<AppEnv>().basePath(`/${name}`);
  const origins = services.config.CORS_ORIGINS.split(",").map((o) => o.trim());

  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(async (c, next) => {
    const started = performance.now();
    const log = services.log.child({ fn: name, requestId: c.get("requestId") });
    c.set("log", log);
    await next();
    meterApiCall(c, services);
    const route = routePath(c);
    const seconds = (performance.now() - started) / 1000;
    observeRequest({ fn: name, method: c.req.method, route, status: c.res.status }, seconds);
    if (!route.endsWith("/health") && !route.endsWith("/metrics")) {
      log.info("request", {
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
        userId: c.get("userId"),
        apiKeyId: apiKeyIdOf(c.get("principal")),
      });
    }
  });
  app.use(
    cors({
      origin: origins.includes("*") ? "*" : origins,
      allowHeaders: ["Authorization", "Content-Type", "apikey", "x-client-info", "X-Request-Id"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Request-Id", "Retry-After"],
      maxAge: 600,
    }),
  );
  app.use(secureHeaders({ crossOriginResourcePolicy: "same-site" }));
  const apiKeys = apiKeyAuthenticator(
    createApiKeyVerifier(services.db.sql),
    trustedProxiesOf(services.config),
  );
  // Before the gate, so floods of junk credentials are counted (per address) too.
  app.use(apiRateLimit(services, apiKeys));
  if (services.config.CHECK_RESPONSES) app.use(checkResponses());
  app.use(
    bodyLimit({
      maxSize: services.config.MAX_BODY_BYTES,
      onError: () => {
        throw new HttpError(
          413,
          `The request body is larger than ${services.config.MAX_BODY_BYTES} bytes`,
        );
      },
    }),
  );

  // Authentication comes from each route's declaration, whatever the order of
  // the routes; the body limit applies to what it reads.
  app.use(gate({
    verifier: services.auth,
    metricsToken: services.config.METRICS_TOKEN,
    worker: options.worker,
    apiKeys,
    // Per-key metering: one counter increment, off the request's path.
    onApiKeyCall: (key, c) => {
      countApiKeyCall(services.cache, key.keyId).catch((error) =>
        c.get("log").warn("API key call not counted", { error, keyId: key.keyId })
      );
    },
    trustedProxies: parseTrustedProxies(services.config.TRUSTED_PROXIES),
  }));
  app.route("/", operationalRoutes(name, services, options, app).app);

  app.notFound(() => {
    throw new HttpError(404, "No such endpoint", { code: "route_not_found" });
  });
  app.onError((error, c) => {
    const known = error instanceof HttpError ? error : httpErrorFromPostgres(error);
    if (known) {
      if (known.status >= 500) c.get("log")?.error("request failed", { error, cause: known.cause });
      return c.json(known.toBody(), known.status, known.headers);
    }
    (c.get("log") ?? services.log).error("unhandled error", {
      error: error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : String(error),
    });
    const fallback = new HttpError(500, "Something went wrong on our side; it has been logged", {
      details: { requestId: c.get("requestId") },
    });
    return c.json(fallback.toBody(), 500);
  });
  return app;
}

function apiKeyIdOf(principal: Principal | undefined): string | undefined {
  return principal?.kind === "api_key" ? principal.keyId : undefined;
}

function trustedProxiesOf(config: Config) {
  try {
    return parseTrustedProxies(config.TRUSTED_PROXIES);
  } catch (error) {
    throw new ConfigError(`Cannot start: ${(error as Error).message}`);
  }
}

const statusSchema = (status: string) => z.object({ status: z.literal(status) });

function operationalRoutes(
  name: string,
  services: Services,
  options: FunctionAppOptions,
  app: FunctionApp,
) {
  let document: unknown;
  return createRouteGroup()
    .on({
      method: "get",
      path: "/health",
      summary: "Liveness: the function answers",
      auth: "public",
      responses: { 200: { description: "Alive", schema: statusSchema("ok") } },
    }, (c) => c.json({ status: "ok" }))
    .on({
      method: "get",
      path: "/ready",
      summary: "Readiness: the database answers",
      auth: "public",
      responses: { 200: { description: "Ready", schema: statusSchema("ready") } },
    }, async (c) => {
      try {
        await services.db.ping();
        return c.json({ status: "ready" });
      } catch (error) {
        c.get("log").error("readiness check failed", { error });
        throw new HttpError(503, "The database is not reachable", { code: "not_ready" });
      }
    })
    .on({
      method: "get",
      path: "/metrics",
      summary: "Request metrics in Prometheus format",
      description: "Send the METRICS_TOKEN scrape credential as a bearer token.",
      auth: "metrics",
      responses: { 200: { description: "Prometheus text format", contentType: "text/plain" } },
    }, async (c) => {
      try {
        const [row] = await services.db.asService((tx) =>
          tx`select q.queued, q.running, q.oldest_queued_seconds, s.due, s.oldest_due_seconds
             from public.task_queue_reading() q, public.sync_schedule_reading() s`
        );
        setQueueGauges({
          queued: Number(row?.queued ?? 0),
          running: Number(row?.running ?? 0),
          oldestQueuedSeconds: Number(row?.oldest_queued_seconds ?? 0),
          syncsDue: Number(row?.due ?? 0),
          oldestDueSyncSeconds: Number(row?.oldest_due_seconds ?? 0),
        });
      } catch (error) {
        // The request metrics are still worth a scrape when the database is not.
        c.get("log").warn("cannot read the task queue for /metrics", { error });
      }
      c.header("Content-Type", metricsRegistry.contentType);
      return c.body(await metricsRegistry.metrics());
    })
    .on({
      method: "get",
      path: "/openapi.json",
      summary: "This function's OpenAPI 3.1 document",
      auth: "public",
      responses: { 200: { description: "OpenAPI 3.1", schema: z.object({ openapi: z.string() }) } },
    }, (c) => {
      document ??= openApiDocument(app, {
        title: name,
        description: options.description ?? `The ${name} function`,
        version: "1",
      });
      return c.json(document as Record<string, unknown>);
    });
}

/** Options of {@linkcode requireUser}. */
export interface RequireUserOptions {
  /**
   * Also accept the token as `?access_token=` when there is no bearer header:
   * for browsers' EventSource, which cannot set headers.
   */
  queryToken?: boolean;
}

/**
 * Middleware that demands a valid user access token and sets `claims` and `userId`.
 *
 * @param verifier the token verifier
 * @param options whether the token may come in the query string
 */
export function requireUser(
  verifier: TokenVerifier,
  options: RequireUserOptions = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // The gate has already verified the token of a declared `user` route.
    if (c.get("claims")) return await next();
    const header = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = header ?? (options.queryToken ? c.req.query("access_token") : undefined);
    if (!token) {
      throw new HttpError(401, "Sign in first: this endpoint needs a bearer token", {
        code: "missing_token",
      });
    }
    const claims = await verifier.verify(token);
    c.set("claims", claims);
    c.set("userId", claims.sub);
    c.set("principal", { kind: "user", userId: claims.sub });
    await next();
  };
}

/**
 * Runs `fn` in a transaction as the signed-in user, under row-level security.
 *
 * @param services the function's services
 * @param c the request context after {@linkcode requireUser}
 * @param fn the work to do
 */
export function asUser<T>(
  services: Pick<Services, "db">,
  claims: TenantClaims,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return services.db.asTenant(claims, fn);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Counts a successful signed-in call toward its organization's API calls (when
 * the request names one as `:orgId` or `?org_id=`): one Redis INCR, not awaited.
 */
function meterApiCall(c: Context<AppEnv>, services: Services): void {
  if (c.res.status >= 400 || c.get("principal")?.kind !== "user") return;
  let orgId: string | undefined;
  try {
    orgId = c.req.param("orgId") ?? c.req.query("org_id");
  } catch {
    orgId = c.req.query("org_id");
  }
  if (orgId && UUID.test(orgId)) void meter(services.cache, orgId, "api_calls", c.get("log"));
}
