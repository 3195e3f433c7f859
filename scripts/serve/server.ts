import { serveStatic } from "hono/deno";
import { Hono } from "hono";
import type { FunctionApp, Services } from "../../shared/http/mod.ts";
import { LOCAL_FUNCTIONS } from "../dev/functions.ts";
import { routeToFunction } from "./gateway.ts";

/** What the web app reads from `/app-config.json` in production. */
export interface PublicAppConfig {
  supabaseUrl: string;
  supabaseAnonKey: string;
  functionsUrl: string;
}

/** Options of {@linkcode createProductionServer}. */
export interface ProductionServerOptions {
  /** The built web app (`deno task web:build`); no web app is served when absent. */
  webDist?: string;
  /** Served as `/app-config.json` for the web app. */
  appConfig: PublicAppConfig;
  /**
   * A self-hosted Supabase Auth (GoTrue) server; `/auth/v1/*` is passed to its
   * root, as Supabase's gateway does. Absent when Auth is hosted elsewhere.
   */
  authUpstream?: string;
  /** Used to reach the auth upstream; the global fetch by default. */
  fetch?: typeof fetch;
}

/**
 * Every function on one port, as the self-hosted container serves them: the
 * functions under `/functions/v1/<name>` (the same paths as on Supabase), the
 * web app at `/`. Supabase Auth, Redis and QStash are the real services, named
 * by the environment: nothing of the dev stack's stand-ins runs here.
 *
 * @param services built once from the environment and shared by every function
 * @param options the web app's files and public configuration
 */
export function createProductionServer(
  services: Services,
  options: ProductionServerOptions,
): { fetch: (req: Request, info?: unknown) => Response | Promise<Response>; names: string[] } {
  const functions = new Map<string, FunctionApp>(
    LOCAL_FUNCTIONS.map((fn) => [fn.name, fn.create(services)]),
  );
  const app = new Hono();
  app.all("/functions/v1/:name/*", (c) => routeToFunction(c.req.raw, functions, c.env));
  app.all("/functions/v1/:name", (c) => routeToFunction(c.req.raw, functions, c.env));
  app.get("/app-config.json", (c) => c.json(options.appConfig));
  const upstream = options.authUpstream?.replace(/\/$/, "");
  if (upstream) {
    const send = options.fetch ?? fetch;
    app.all("/auth/v1/*", (c) => {
      const incoming = new URL(c.req.url);
      const target = `${upstream}${incoming.pathname.replace(/^\/auth\/v1/, "")}${incoming.search}`;
      return send(new Request(target, c.req.raw), { redirect: "manual" });
    });
  }
  if (options.webDist) {
    // hono's serveStatic resolves its root against the working directory.
    const cwd = Deno.cwd().replace(/\/?$/, "/");
    const dist = options.webDist.startsWith(cwd)
      ? options.webDist.slice(cwd.length)
      : options.webDist;
    const root = dist.replace(/\/?$/, "/");
    app.use("/*", serveStatic({ root }));
    app.get("*", serveStatic({ path: `${root}index.html` }));
  }
  return { fetch: app.fetch, names: [...functions.keys()] };
}
