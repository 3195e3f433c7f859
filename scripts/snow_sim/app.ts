/**
 * `createSnowSimulator()`: a Hono app imitating one or more ServiceNow instances.
 *
 * Instance routing: a request is for instance `acme` when its path starts with
 * `/acme/` (path-prefix mode; the instance base URL is `<origin>/acme`) or, failing
 * that, when its Host header's first label is `acme` (host mode, e.g.
 * `acme.service-now.com`; the base URL is `<scheme>://<host>`). Record `link`s and
 * `Link` headers use that base URL. `/_sim/...` is the admin API.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AdvanceReport } from "./advance.ts";
import { parseDuration } from "./advance.ts";
import { type InstanceOptions, SimInstance } from "./instance.ts";
import type { Knobs } from "./knobs.ts";
import type { Manifest } from "./manifest.ts";
import { Random } from "./random.ts";
import {
  aggregate,
  type ApiRequest,
  type Caller,
  errorResponse,
  getRecord,
  listRecords,
} from "./table_api.ts";

/** Options of {@link createSnowSimulator}. */
export interface SimulatorOptions {
  /** Instances to serve (default: one instance named "acme"). */
  instances?: InstanceOptions[];
  /** Simulated time at generation (default 2026-06-01T00:00:00Z; truncated to whole seconds). */
  startTime?: Date | string;
  /** Seed of fault injection randomness (default 42). */
  faultSeed?: number | string;
  /** Wall clock in ms for token expiry and rate-limit windows (default Date.now). */
  wallClock?: () => number;
  /** Sleep used for injected latency (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** When set, `/_sim` requires the header `x-sim-admin-token: <token>`. */
  adminToken?: string;
}

/** The simulated clock shared by all instances. */
export interface SimClock {
  /** Current simulated time. */
  now(): Date;
  /**
   * Moves time forward on every instance and applies that period's changes.
   *
   * @param duration ms, or text like "6h", "2d", "PT30M"
   * @returns per instance, what changed
   */
  advance(duration: number | string): Record<string, AdvanceReport>;
}

/** A running simulator. */
export interface SnowSimulator {
  /** Handles a request (Deno.serve-compatible). */
  fetch(req: Request): Promise<Response>;
  /** Instances by name. */
  readonly instances: ReadonlyMap<string, SimInstance>;
  /** An instance (default: the first). */
  instance(name?: string): SimInstance;
  /** Shared simulated clock. */
  readonly clock: SimClock;
  /** Knobs of an instance (default: the first); mutate via {@link SnowSimulator.setKnobs}. */
  knobs(name?: string): Readonly<Knobs>;
  /** Changes knobs of an instance (default: the first). */
  setKnobs(patch: Partial<Knobs>, name?: string): Knobs;
  /** Ground-truth manifest of an instance (default: the first). */
  manifest(name?: string): Manifest;
  /**
   * Ground truth as the integration user can know it (the manifest of the data
   * it can see, for a profile instance; see profiles.ts).
   */
  visibleManifest(name?: string): Manifest;
}

type Env = {
  Bindings: { inst: SimInstance; base: string; sim: Internals };
  Variables: { caller: Caller };
};

interface Internals {
  wallClock: () => number;
  sleep: (ms: number) => Promise<void>;
}

const HIBERNATING_PAGE = `<!DOCTYPE html><html><head><title>Instance Hibernating page</title></head>
<body><h1>Your instance is hibernating</h1><p>Sign in to the developer site to wake it up.</p></body></html>`;

function basicCaller(inst: SimInstance, header: string): Caller | null {
  let decoded: string;
  try {
    // UTF-8, as RFC 7617 asks and browsers and our connector send.
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(header.slice(6).trim()), (ch) => ch.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const sep = decoded.indexOf(":");
  if (sep < 0) return null;
  const userName = decoded.slice(0, sep);
  const password = decoded.slice(sep + 1);
  if (inst.credentials.get(userName) !== password) return null;
  return callerFor(inst, userName);
}

function callerFor(inst: SimInstance, userName: string): Caller | null {
  const row = inst.userByName(userName);
  if (!row || !inst.canLogin(row[0]!)) return null;
  const t = inst.dataset.table("sys_user");
  return {
    userId: row[0]!,
    userName,
    timeZone: t.get(row, "time_zone"),
    dateFormat: t.get(row, "date_format"),
    timeFormat: t.get(row, "time_format"),
  };
}

function authenticate(inst: SimInstance, header: string | undefined, now: number): Caller | null {
  if (!header) return null;
  if (/^basic /i.test(header)) return basicCaller(inst, header);
  if (/^bearer /i.test(header)) {
    const token = inst.accessTokens.get(header.slice(7).trim());
    if (!token || token.expiresAt <= now) return null;
    const t = inst.dataset.table("sys_user");
    const row = t.byId.get(token.userId);
    return row ? callerFor(inst, t.get(row, "user_name")) : null;
  }
  return null;
}

function randomToken(inst: SimInstance): string {
  let s = "";
  for (let i = 0; i < 6; i++) s += Math.floor(inst.random() * 2 ** 32).toString(36);
  return s;
}

function oauthError(status: number, error: string, description: string): Response {
  return new Response(JSON.stringify({ error_description: description, error }), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8" },
  });
}

function buildInstanceApp(): Hono<Env> {
  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    if (c.env.inst.knobs.hibernating) {
      return new Response(HIBERNATING_PAGE, {
        status: 200,
        headers: { "content-type": "text/html;charset=UTF-8" },
      });
    }
    await next();
  });

  app.post("/oauth_token.do", async (c) => {
    const inst = c.env.inst;
    const now = c.env.sim.wallClock();
    const type = c.req.header("content-type") ?? "";
    if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return oauthError(
        400,
        "invalid_request",
        "Request body must be application/x-www-form-urlencoded",
      );
    }
    const form = new URLSearchParams(await c.req.text());
    const clientId = form.get("client_id");
    const clientSecret = form.get("client_secret");
    if (clientId !== inst.oauthClient.clientId || clientSecret !== inst.oauthClient.clientSecret) {
      return oauthError(401, "server_error", "access_denied");
    }
    const ttl = inst.knobs.accessTokenTtlSeconds;
    const issue = (userId: string, refreshToken: string | null) => {
      const access = randomToken(inst);
      inst.accessTokens.set(access, {
        userId,
        clientId,
        expiresAt: now + ttl * 1000,
        refreshToken,
      });
      return access;
    };
    const respond = (access: string, expiresAt: number, refresh: string | null) => {
      const body: Record<string, unknown> = {
        scope: "useraccount",
        token_type: "Bearer",
        expires_in: Math.max(0, Math.floor((expiresAt - now) / 1000) - 1),
      };
      if (refresh) body.refresh_token = refresh;
      body.access_token = access;
      return c.json(body);
    };
    switch (form.get("grant_type")) {
      case "client_credentials": {
        const row = inst.userByName(inst.oauthClient.userName);
        if (!row || !inst.canLogin(row[0]!)) {
          return oauthError(401, "server_error", "access_denied");
        }
        const access = issue(row[0]!, null);
        return respond(access, now + ttl * 1000, null);
      }
      case "password": {
        if (inst.ropcDisabled()) {
          return oauthError(
            400,
            "unsupported_grant_type",
            "The password grant type is disabled on this instance",
          );
        }
        const userName = form.get("username") ?? "";
        const row = inst.userByName(userName);
        if (
          !row || inst.credentials.get(userName) !== form.get("password") || !inst.canLogin(row[0]!)
        ) {
          return oauthError(401, "server_error", "access_denied");
        }
        for (const [token, t] of inst.accessTokens) {
          if (
            t.userId === row[0] && t.clientId === clientId && t.refreshToken && t.expiresAt > now
          ) {
            return respond(token, t.expiresAt, t.refreshToken);
          }
        }
        const refresh = randomToken(inst);
        inst.refreshTokens.set(refresh, {
          userId: row[0]!,
          clientId,
          expiresAt: now + inst.knobs.refreshTokenTtlSeconds * 1000,
        });
        return respond(issue(row[0]!, refresh), now + ttl * 1000, refresh);
      }
      case "refresh_token": {
        const refresh = form.get("refresh_token") ?? "";
        const r = inst.refreshTokens.get(refresh);
        if (!r || r.expiresAt <= now || r.clientId !== clientId || !inst.canLogin(r.userId)) {
          return oauthError(401, "invalid_grant", "access_denied");
        }
        return respond(issue(r.userId, refresh), now + ttl * 1000, refresh);
      }
      default:
        return oauthError(400, "unsupported_grant_type", "Unsupported grant type");
    }
  });

  app.use("/api/*", async (c, next) => {
    const inst = c.env.inst;
    const k = inst.knobs;
    const sim = c.env.sim;
    if (k.latencyMs > 0) {
      if (k.latencyMs > k.transactionTimeoutMs) {
        await sim.sleep(k.transactionTimeoutMs);
        return errorResponse(500, "Transaction cancelled: maximum execution time exceeded", null);
      }
      await sim.sleep(k.latencyMs);
    }
    if (k.burst && k.burst.count > 0) {
      k.burst.count--;
      const status = k.burst.status;
      if (k.burst.count === 0) k.burst = null;
      return errorResponse(
        status,
        status === 503 ? "Service Unavailable" : "Internal Server Error",
        null,
      );
    }
    if (k.errorRate > 0 && inst.random() < k.errorRate) {
      return errorResponse(500, "Internal Server Error", null);
    }
    const accept = c.req.header("accept");
    if (accept && !/json|\*\/\*/i.test(accept)) {
      return errorResponse(
        406,
        "Accept header not supported",
        `The simulator only produces application/json, not ${accept}`,
      );
    }
    const caller = authenticate(inst, c.req.header("authorization"), sim.wallClock());
    if (!caller) {
      return errorResponse(401, "User Not Authenticated", "Required to provide Auth information", {
        "WWW-Authenticate": 'Basic realm="Service-now"',
      });
    }
    const rateHeaders: Record<string, string> = {};
    if (k.rateLimit) {
      const now = sim.wallClock();
      const windowMs = k.rateLimit.windowSeconds * 1000;
      const start = Math.floor(now / windowMs) * windowMs;
      let w = inst.rateWindows.get(caller.userId);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        inst.rateWindows.set(caller.userId, w);
      }
      w.count++;
      rateHeaders["X-RateLimit-Limit"] = String(k.rateLimit.limit);
      rateHeaders["X-RateLimit-Reset"] = String(Math.ceil((start + windowMs) / 1000));
      rateHeaders["X-RateLimit-Rule"] = inst.rateRuleId;
      if (w.count > k.rateLimit.limit) {
        const per = k.rateLimit.windowSeconds === 3600
          ? "hour"
          : `${k.rateLimit.windowSeconds} seconds`;
        return errorResponse(
          429,
          "Rate limit exceeded",
          `Rate limit of ${k.rateLimit.limit} requests per ${per} for Table API exceeded`,
          {
            ...rateHeaders,
            "Retry-After": String(Math.max(1, Math.ceil((start + windowMs - now) / 1000))),
          },
        );
      }
    }
    c.set("caller", caller);
    await next();
    for (const [name, value] of Object.entries(rateHeaders)) c.res.headers.set(name, value);
    if (
      k.truncateNext > 0 && c.res.status === 200 &&
      (c.res.headers.get("content-type") ?? "").includes("json")
    ) {
      k.truncateNext--;
      const text = await c.res.text();
      const headers = new Headers(c.res.headers);
      headers.delete("content-length");
      c.res = new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), {
        status: 200,
        headers,
      });
    }
  });

  const ctx = (c: Context<Env>, version?: string): ApiRequest => ({
    url: new URL(c.req.url),
    base: c.env.base,
    version: version === "v1" ? "v1" : "v2",
    caller: c.get("caller"),
  });
  const validVersion = (v: string | undefined) => v === undefined || v === "v1" || v === "v2";
  const slow = async (c: { env: Env["Bindings"] }) => {
    const inst = c.env.inst;
    inst.listRequests++;
    const s = inst.knobs.slowPage;
    if (s && inst.listRequests % s.everyNth === 0) await c.env.sim.sleep(s.delayMs);
  };

  for (const prefix of ["/api/now", "/api/now/:version"]) {
    app.get(`${prefix}/table/:table`, async (c) => {
      const version = c.req.param("version") as string | undefined;
      if (!validVersion(version)) return c.notFound();
      await slow(c);
      return listRecords(c.env.inst, ctx(c, version), c.req.param("table"));
    });
    app.get(`${prefix}/table/:table/:sysId`, (c) => {
      const version = c.req.param("version") as string | undefined;
      if (!validVersion(version)) return c.notFound();
      return getRecord(c.env.inst, ctx(c, version), c.req.param("table"), c.req.param("sysId"));
    });
    app.get(`${prefix}/stats/:table`, (c) => {
      const version = c.req.param("version") as string | undefined;
      if (!validVersion(version)) return c.notFound();
      return aggregate(c.env.inst, ctx(c, version), c.req.param("table"));
    });
    app.on(["POST", "PUT", "PATCH", "DELETE"], [
      `${prefix}/table/:table`,
      `${prefix}/table/:table/:sysId`,
    ], () => errorResponse(405, "Method not Supported", "The simulator's Table API is read-only"));
  }

  app.notFound(() => errorResponse(400, "Requested URI does not represent any resource", null));
  app.onError((err) => {
    // deno-lint-ignore no-console
    console.error("snow-sim: unhandled error", err);
    return errorResponse(500, "Internal Server Error", null);
  });
  return app;
}

const advanceSchema = z.object({ duration: z.union([z.string(), z.number()]) });

function buildAdminApp(sim: SnowSimulator, adminToken: string | undefined): Hono {
  const admin = new Hono().basePath("/_sim");
  admin.use("*", async (c, next) => {
    if (adminToken && c.req.header("x-sim-admin-token") !== adminToken) {
      return c.json({ error: { message: "Admin token required" } }, 401);
    }
    await next();
  });
  const describe = (inst: SimInstance, origin: string) => ({
    name: inst.name,
    baseUrl: `${origin}/${inst.name}`,
    hostModeBaseUrl: `http://${inst.name}.service-now.com`,
    now: inst.dataset.nowText(),
    basic: {
      userName: inst.integrationUserName,
      password: inst.credentials.get(inst.integrationUserName),
    },
    oauth: {
      clientId: inst.oauthClient.clientId,
      clientSecret: inst.oauthClient.clientSecret,
      tokenUrl: `${origin}/${inst.name}/oauth_token.do`,
    },
    tables: Object.fromEntries([...inst.dataset.tables].map(([n, t]) => [n, t.size])),
  });
  const find = (name: string) => sim.instances.get(name);
  admin.get("/", (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json({
      now: sim.clock.now().toISOString(),
      instances: [...sim.instances.values()].map((i) => describe(i, origin)),
    });
  });
  admin.get("/instances/:name", (c) => {
    const inst = find(c.req.param("name"));
    if (!inst) {
      return c.json({ error: { message: `Unknown instance "${c.req.param("name")}"` } }, 404);
    }
    return c.json({ ...describe(inst, new URL(c.req.url).origin), knobs: inst.knobs });
  });
  admin.get("/instances/:name/knobs", (c) => {
    const inst = find(c.req.param("name"));
    return inst ? c.json(inst.knobs) : c.json({ error: { message: "Unknown instance" } }, 404);
  });
  const patchKnobs = async (
    c: {
      req: { param: (k: "name") => string; json: () => Promise<unknown> };
      json: (b: unknown, s?: 200 | 400 | 404) => Response;
    },
  ) => {
    const inst = find(c.req.param("name"));
    if (!inst) return c.json({ error: { message: "Unknown instance" } }, 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: { message: "Cannot update knobs: body is not JSON" } }, 400);
    }
    try {
      return c.json(inst.setKnobs(body as Partial<Knobs>));
    } catch (e) {
      return c.json({
        error: { message: "Cannot update knobs: invalid value", details: String(e) },
      }, 400);
    }
  };
  admin.patch("/instances/:name/knobs", patchKnobs);
  admin.post("/instances/:name/knobs", patchKnobs);
  admin.delete("/instances/:name/knobs", (c) => {
    const inst = find(c.req.param("name"));
    return inst
      ? c.json(inst.resetKnobs())
      : c.json({ error: { message: "Unknown instance" } }, 404);
  });
  admin.get("/instances/:name/manifest", (c) => {
    const inst = find(c.req.param("name"));
    return inst ? c.json(inst.manifest()) : c.json({ error: { message: "Unknown instance" } }, 404);
  });
  admin.get("/instances/:name/planted", (c) => {
    const inst = find(c.req.param("name"));
    return inst ? c.json(inst.planted) : c.json({ error: { message: "Unknown instance" } }, 404);
  });
  admin.post("/advance", async (c) => {
    const parsed = advanceSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      return c.json({ error: { message: 'Cannot advance: body must be {"duration": "6h"}' } }, 400);
    }
    try {
      return c.json(sim.clock.advance(parsed.data.duration));
    } catch (e) {
      return c.json({ error: { message: e instanceof Error ? e.message : "Cannot advance" } }, 400);
    }
  });
  return admin;
}

/**
 * Creates a simulator. Data generation is synchronous and deterministic per seed.
 *
 * @param options instances, start time, clocks and admin token
 * @returns the simulator
 * @example
 * ```ts
 * const sim = createSnowSimulator({ instances: [{ name: "acme", users: 500 }] });
 * const server = Deno.serve({ port: 0 }, sim.fetch);
 * // connector base URL: http://127.0.0.1:<port>/acme
 * ```
 */
export function createSnowSimulator(options: SimulatorOptions = {}): SnowSimulator {
  const start = new Date(options.startTime ?? "2026-06-01T00:00:00Z");
  if (Number.isNaN(start.getTime())) {
    throw new Error(`Cannot create simulator: invalid startTime "${options.startTime}"`);
  }
  start.setUTCMilliseconds(0);
  const rng = new Random(options.faultSeed ?? 42);
  const specs = options.instances ?? [{ name: "acme" }];
  const instances = new Map<string, SimInstance>();
  for (const spec of specs) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.name)) {
      throw new Error(
        `Cannot create instance "${spec.name}": names are lowercase letters, digits and "-"`,
      );
    }
    if (spec.name === "_sim" || instances.has(spec.name)) {
      throw new Error(`Cannot create instance "${spec.name}": name taken`);
    }
    instances.set(spec.name, new SimInstance(spec, new Date(start), () => rng.next()));
  }
  const internals: Internals = {
    wallClock: options.wallClock ?? (() => Date.now()),
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
  const first = [...instances.values()][0]!;
  const pick = (name?: string) => {
    const inst = name === undefined ? first : instances.get(name);
    if (!inst) throw new Error(`Cannot find simulated instance "${name}"`);
    return inst;
  };
  const instanceApp = buildInstanceApp();
  const clock: SimClock = {
    now: () => new Date(first.dataset.now),
    advance: (duration) => {
      const ms = parseDuration(duration);
      const out: Record<string, AdvanceReport> = {};
      for (const inst of instances.values()) out[inst.name] = inst.advance(ms);
      return out;
    },
  };
  const sim: SnowSimulator = {
    instances,
    instance: pick,
    clock,
    knobs: (name) => pick(name).knobs,
    setKnobs: (patch, name) => pick(name).setKnobs(patch),
    manifest: (name) => pick(name).manifest(),
    visibleManifest: (name) => pick(name).visibleManifest(),
    fetch: async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/_sim" || url.pathname.startsWith("/_sim/")) {
        return await adminApp.fetch(req);
      }
      const seg = url.pathname.split("/")[1] ?? "";
      let inst = instances.get(seg);
      let base: string;
      let path = url.pathname;
      if (inst) {
        base = `${url.origin}/${inst.name}`;
        path = url.pathname.slice(seg.length + 1) || "/";
      } else {
        const host = (req.headers.get("host") ?? url.host).split(":")[0] ?? "";
        inst = instances.get(host.split(".")[0] ?? "");
        base = `${url.protocol}//${req.headers.get("host") ?? url.host}`;
      }
      if (!inst) {
        return errorResponse(
          400,
          "Requested URI does not represent any resource",
          `No simulated instance matches ${url.pathname}`,
        );
      }
      const inner = new URL(url);
      inner.pathname = path;
      // A fresh Request (not `new Request(url, req)`) so the server's request.signal is not inherited.
      const body = req.method === "GET" || req.method === "HEAD" ? null : await req.arrayBuffer();
      const forwarded = new Request(inner, { method: req.method, headers: req.headers, body });
      return await instanceApp.fetch(forwarded, { inst, base, sim: internals });
    },
  };
  const adminApp = buildAdminApp(sim, options.adminToken);
  return sim;
}
