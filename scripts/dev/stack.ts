import { setReportDelivery } from "../../shared/reports/mod.ts";
import {
  devSmsOutbox,
  setNotificationChannels,
  smsFromConfig,
} from "../../shared/notifications/mod.ts";
import { localReportDelivery } from "./report_delivery.ts";
import { cacheFromConfig } from "../../shared/cache/mod.ts";
import { devMailboxMailer, mailerFromConfig, mailProvider } from "../../shared/mail/mod.ts";
import { serveStatic } from "hono/deno";
import { Hono } from "hono";
import postgres from "postgres";
import { connectDatabase, type Database } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import { type FunctionApp, rateLimiterFor, type Services } from "../../shared/http/mod.ts";
import { createLogger, type Logger } from "../../shared/log/mod.ts";
import { TimeLimitError, withinTime } from "../../shared/runtime/time_limit.ts";
import { verifierFromConfig } from "../../shared/runtime/mod.ts";
import { createTaskClientFromConfig } from "../../shared/tasks/mod.ts";
import { type AuthServer, createAuthServer } from "../auth_server/mod.ts";
import { createQStashServer, qstashEnv, type QStashServer } from "../qstash_server/mod.ts";
import { startDevRedis } from "./redis.ts";
import { startBillingStandIn } from "../billing_stand_in/mod.ts";
import { migrate } from "../db/migrate.ts";
import { startPgliteServer } from "../db/pglite_server.ts";
import { createTestDatabase } from "../testing/mod.ts";
import { LOCAL_FUNCTIONS } from "./functions.ts";
import { routeToFunction } from "../serve/gateway.ts";
import { ensureWebBuild } from "../../web/tooling/mod.ts";
import { type DevSnow, ensureDemoInstance, SNOW_SIM_PATH, startDevSnow } from "./snow_demo.ts";

const ROOT = new URL("../../", import.meta.url);
const WEB_DIST = new URL("web/dist/", ROOT);

/** Options for {@linkcode startStack}. */
export interface StackOptions {
  /** Port to listen on; 0 picks a free one. Default 8000. */
  port?: number;
  /** Host to bind; default 127.0.0.1. */
  hostname?: string;
  /**
   * Keep data across restarts: PGlite in `dataDir` (or DATABASE_URL as is).
   * Without it every stack gets its own throwaway database, for tests.
   */
  persist?: boolean;
  /** Where persistent PGlite data lives; default `.data/pglite`. */
  dataDir?: string;
  /** Wipe persistent data first. */
  fresh?: boolean;
  /** No request logs or emails on the console. */
  quiet?: boolean;
  /** Create the demo organization and user when missing (default true). */
  seedDemo?: boolean;
  /**
   * Serve the ServiceNow simulator at /snow-sim and connect the demo
   * organization to it (default true).
   */
  snowDemo?: boolean;
  /**
   * Sync the demo instance at start (default true): full once, incremental
   * after; the product queues an analysis after each sync.
   */
  demoSync?: boolean;
  /** Users of the simulated instance (default 600 when persistent, 60 otherwise). */
  snowUsers?: number;
  /** Require email confirmation before sign-in (default false). */
  requireEmailConfirmation?: boolean;
  /**
   * Start the Upstash Redis stand-in over a private redis-server at /redis when
   * redis-server is on PATH and UPSTASH_REDIS_REST_URL is not set (default true).
   */
  redis?: boolean;
  /** Environment overrides for the functions' configuration. */
  env?: Record<string, string>;
  /**
   * The QStash stand-in's clock for delays, retries and cron (`Date.now` by
   * default): tests move it forward to fire a monthly schedule now.
   */
  qstashClock?: () => number;
}

/** The demo login `deno task dev` prints. */
export interface DemoAccount {
  email: string;
  password: string;
  orgId: string;
}

/** A running local stack. */
export interface Stack {
  url: string;
  db: Database;
  auth: AuthServer;
  /** The local QStash stand-in at /qstash, or null when QSTASH_TOKEN is configured. */
  qstash: QStashServer | null;
  services: Services;
  demo: DemoAccount;
  /** What backs the database, for the banner. */
  databaseLabel: string;
  /** What backs the cache and rate limits, for the banner. */
  redisLabel: string;
  /** What takes billing calls, for the banner: the stand-in's URL or "Stripe". */
  billingLabel: string;
  /** The ServiceNow simulator at /snow-sim, or null with `snowDemo: false`. */
  snow: DevSnow | null;
  /** The demo organization's instance (connected to the simulator), when there is one. */
  demoInstanceId: string | null;
  stop(): Promise<void>;
}

/** The demo login; documented in the README. */
export const DEMO_EMAIL = "demo@complianceiq.local";
/** The demo password; documented in the README. */
export const DEMO_PASSWORD = "demo-password-2026";

/**
 * Starts everything in one process: the database (PGlite unless DATABASE_URL is
 * set), migrations, the Supabase Auth stand-in at /auth/v1, every function at
 * /functions/v1/<name>, and the web app at /.
 *
 * @param options port, persistence and seeding
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = createLogger({ level: options.quiet ? "silent" : "info" });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await boundedCleanup(cleanup, log).catch(() => {});
    }
  };
  try {
    // Listen first: the auth server and the functions need the public URL.
    let handler: (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> = () =>
      new Response("Starting", { status: 503 });
    const server = Deno.serve(
      {
        port: options.port ?? 8000,
        hostname: options.hostname ?? "127.0.0.1",
        onListen: () => {},
      },
      (req, info) => handler(req, info),
    );
    cleanups.push(() => server.shutdown());
    const url = `http://${
      options.hostname === "0.0.0.0" ? "localhost" : "localhost"
    }:${server.addr.port}`;

    const database = await openDatabase(options, log);
    cleanups.push(database.close);
    const db = database.db;

    const redis = await startDevRedis({
      enabled: options.redis ?? true,
      configuredUrl: options.env?.UPSTASH_REDIS_REST_URL ?? Deno.env.get("UPSTASH_REDIS_REST_URL"),
      mountUrl: `${url}/redis`,
    });
    cleanups.push(redis.stop);
    // One cache (and so one rate limiter) for the functions and the auth stand-in.
    const functionsLog = options.quiet ? createLogger({ level: "silent" }) : log;
    const cache = cacheFromConfig(
      loadConfig({ ...Deno.env.toObject(), ...redis.env, ...options.env }),
      functionsLog,
    );

    const auth = await createAuthServer({
      sql: db.sql,
      siteUrl: url,
      requireEmailConfirmation: options.requireEmailConfirmation ?? false,
      limiter: rateLimiterFor(cache),
      trustedProxies: options.env?.TRUSTED_PROXIES ?? Deno.env.get("TRUSTED_PROXIES"),
      log,
    });
    const jwks = await auth.jwks();
    // Background work: the local QStash stand-in at /qstash unless a token is configured.
    const qstash = (options.env?.QSTASH_TOKEN ?? Deno.env.get("QSTASH_TOKEN"))
      ? null
      : await createQStashServer({
        sql: db.sql,
        log,
        retryDelayScale: 0.1,
        workerTimeoutMs: 5000,
        clock: options.qstashClock,
      });
    const snow = options.snowDemo === false ? null : await startDevSnow({
      persist: options.persist ?? false,
      users: options.snowUsers ?? (options.persist ? 600 : 60),
    });
    // Billing: the local Stripe stand-in unless a Stripe key is configured.
    const billing = (options.env?.STRIPE_SECRET_KEY ?? Deno.env.get("STRIPE_SECRET_KEY"))
      ? null
      : startBillingStandIn({
        webhookUrl: `${url}/functions/v1/billing/webhooks/stripe`,
        webhookSecret: `whsec_dev_${crypto.randomUUID().replaceAll("-", "")}`,
      });
    if (billing) cleanups.push(billing.stop);
    const config = loadConfig({
      ...Deno.env.toObject(),
      ...snow?.env,
      ...billing?.env,
      SUPABASE_URL: url,
      SUPABASE_JWKS: JSON.stringify(jwks),
      SUPABASE_ANON_KEY: auth.anonKey,
      PUBLIC_URL: url,
      ...(qstash ? qstashEnv(qstash, url) : {}),
      ...redis.env,
      // /metrics needs a scrape credential: one per run unless METRICS_TOKEN is set.
      METRICS_TOKEN: Deno.env.get("METRICS_TOKEN") || `dev-${crypto.randomUUID()}`,
      ...options.env,
    });
    const services: Services = {
      config,
      db,
      log: functionsLog,
      auth: verifierFromConfig(config, db),
      tasks: createTaskClientFromConfig(config, { db, log: functionsLog }),
      cache,
      // The product's own emails land in the auth stand-in's dev mailbox, unless a provider is set.
      mailer: mailProvider(config) !== "none"
        ? mailerFromConfig(config)
        : devMailboxMailer(db.sql, log),
    };

    // Scheduled reports: emailed as the product's other emails; their links point here.
    setReportDelivery(localReportDelivery(services.mailer!, url));
    cleanups.push(() => Promise.resolve(setReportDelivery(null)));

    // Alerts: email as the product's other emails, texts to the SMS outbox (unless Twilio is set).
    setNotificationChannels({
      mailer: services.mailer!,
      sms: config.SMS_PROVIDER === "twilio" ? smsFromConfig(config) : devSmsOutbox(db.sql, log),
      allowPrivate: config.ALLOW_PRIVATE_INSTANCE_URLS,
    });
    cleanups.push(() => Promise.resolve(setNotificationChannels(null)));

    const app = new Hono();
    app.all("/auth/v1/*", (c) => auth.fetch(c.req.raw, c.env as Deno.ServeHandlerInfo));
    const redisRest = redis.rest;
    if (redisRest) {
      const toRedis = (req: Request) => {
        const target = new URL(req.url);
        target.pathname = target.pathname.replace(/^\/redis/, "") || "/";
        return redisRest.fetch(new Request(target, req));
      };
      app.all("/redis", (c) => toRedis(c.req.raw));
      app.all("/redis/*", (c) => toRedis(c.req.raw));
    }
    if (snow) app.all(`${SNOW_SIM_PATH}/*`, (c) => snow.fetch(c.req.raw));
    if (qstash) {
      app.all("/qstash/*", (c) => {
        const target = new URL(c.req.url);
        target.pathname = target.pathname.replace(/^\/qstash/, "");
        return qstash.fetch(new Request(target, c.req.raw));
      });
    }
    const functions = new Map<string, FunctionApp>(
      LOCAL_FUNCTIONS.map((fn) => [fn.name, fn.create(services)]),
    );
    app.all("/functions/v1/:name/*", (c) => routeToFunction(c.req.raw, functions, c.env));
    app.all("/functions/v1/:name", (c) => routeToFunction(c.req.raw, functions, c.env));
    app.get("/app-config.json", (c) =>
      c.json({
        supabaseUrl: url,
        supabaseAnonKey: auth.anonKey,
        functionsUrl: `${url}/functions/v1`,
        devMailbox: true,
      }));
    if (await ensureWebBuild({ quiet: options.quiet ?? false })) log.info("built the web app");
    app.use("/*", serveStatic({ root: relativeToCwd(WEB_DIST) }));
    app.get("*", serveStatic({ path: relativeToCwd(new URL("index.html", WEB_DIST)) }));
    handler = app.fetch;
    if (qstash) {
      // Delivers what is pending, including messages left by a previous run.
      await qstash.start();
      cleanups.push(() => qstash.stop());
    }
    if (qstash || config.TASKS_CALLBACK_URL) {
      await services.tasks.ensureSystemSchedules().catch((error) =>
        log.warn("cannot create the stale-job reaper's schedule", { error })
      );
    }

    const demo = options.seedDemo === false
      ? { email: DEMO_EMAIL, password: DEMO_PASSWORD, orgId: "" }
      : await seedDemo(url, auth, db);
    const demoInstanceId = snow && options.seedDemo !== false
      ? await ensureDemoInstance({
        services,
        db,
        log,
        stackUrl: url,
        snow,
        email: DEMO_EMAIL,
        sync: options.demoSync,
      })
      : null;

    return {
      url,
      db,
      auth,
      qstash,
      services,
      demo,
      databaseLabel: database.label,
      redisLabel: redis.label,
      billingLabel: billing ? `dev stand-in at ${billing.url}` : "Stripe (STRIPE_SECRET_KEY)",
      snow,
      demoInstanceId,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** How long one part of the stack may take to stop before the rest go on without it. */
const STOP_PART_MS = 15_000;

/**
 * Runs one cleanup, giving up after {@linkcode STOP_PART_MS}: a part that does
 * not stop (a request handler that never returns keeps `server.shutdown()`
 * waiting) must not keep the process, or a test, from ending.
 */
export async function boundedCleanup(
  cleanup: () => Promise<void>,
  log: Logger,
  limitMs = STOP_PART_MS,
): Promise<void> {
  try {
    await withinTime(cleanup(), limitMs, "stopping a part of the stack");
  } catch (error) {
    if (!(error instanceof TimeLimitError)) throw error;
    log.warn("a part of the stack did not stop in time", {
      cleanup: cleanup.name || "anonymous",
      after_ms: limitMs,
    });
  }
}

interface OpenDatabase {
  db: Database;
  label: string;
  close(): Promise<void>;
}

async function openDatabase(options: StackOptions, log: Logger): Promise<OpenDatabase> {
  const serverUrl = Deno.env.get("DATABASE_URL");
  if (!options.persist) {
    const test = await createTestDatabase();
    return { db: test.db, label: `${test.kind} (throwaway)`, close: test.close };
  }
  if (serverUrl) {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      if (options.fresh) {
        const { resetDatabase } = await import("../db/migrate.ts");
        await resetDatabase(sql);
      }
      await migrate(sql, { onProgress: (line) => log.info(line) });
    } finally {
      await sql.end();
    }
    const db = connectDatabase(serverUrl, { max: 10 });
    const parsed = new URL(serverUrl);
    return { db, label: `${parsed.host}${parsed.pathname}`, close: () => db.close() };
  }
  const dataDir = options.dataDir ?? new URL(".data/pglite", ROOT).pathname;
  if (options.fresh) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  const pglite = await startPgliteServer({ dataDir });
  const sql = postgres(pglite.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(sql, { onProgress: (line) => log.info(line) });
  } finally {
    await sql.end();
  }
  const db = connectDatabase(pglite.url, { max: 1 });
  return {
    db,
    label: `PGlite in ${dataDir}`,
    close: async () => {
      await db.close();
      await pglite.stop();
    },
  };
}

async function seedDemo(url: string, auth: AuthServer, db: Database): Promise<DemoAccount> {
  const existing = await db.sql<{ org_id: string | null }[]>`
    select (select m.org_id from public.memberships m where m.user_id = u.id
             order by m.created_at limit 1) as org_id
    from auth.users u where u.email = ${DEMO_EMAIL}`;
  if (existing[0]) {
    return { email: DEMO_EMAIL, password: DEMO_PASSWORD, orgId: existing[0].org_id ?? "" };
  }
  const res = await auth.fetch(
    new Request(`${url}/auth/v1/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", apikey: auth.anonKey },
      body: JSON.stringify({
        email: DEMO_EMAIL,
        password: DEMO_PASSWORD,
        data: { organization_name: "Demo Organization", full_name: "Demo User" },
      }),
    }),
  );
  if (!res.ok) throw new Error(`Cannot seed the demo user: auth server answered ${res.status}`);
  await res.body?.cancel();
  // Sign-up may require confirmation; the demo account is confirmed either way.
  await db.sql`update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now())
               where email = ${DEMO_EMAIL}`;
  const [row] = await db.sql<{ org_id: string }[]>`
    select m.org_id from public.memberships m join auth.users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`;
  return { email: DEMO_EMAIL, password: DEMO_PASSWORD, orgId: row?.org_id ?? "" };
}

function relativeToCwd(url: URL): string {
  const cwd = Deno.cwd().replace(/\/$/, "") + "/";
  const path = url.pathname;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}
