import { type Context, Hono } from "hono";
import type { RouterRoute } from "hono/types";
import { z } from "zod";
import type { Action } from "../permissions/mod.ts";
import type { AppEnv } from "./app.ts";
import { readJson, readParam, readQuery } from "./validate.ts";

/**
 * Who may call a route:
 * - `public`: anyone (health, readiness, API documents);
 * - `user`: a signed-in user's access token (`Authorization: Bearer …`);
 * - `worker`: QStash, proven by `Upstash-Signature` over the raw body;
 * - `api_key`: a signed-in user's token, or an organization's API key
 *   (`Authorization: Bearer ciq_live_…`, docs/api-keys.md), which runs as its
 *   own principal with its role; every other kind refuses keys;
 * - `metrics`: the Prometheus scrape credential (`METRICS_TOKEN`).
 */
export type AuthKind = "public" | "user" | "worker" | "api_key" | "metrics";

/** Every auth kind, for docs and tests. */
export const AUTH_KINDS: readonly AuthKind[] = ["public", "user", "worker", "api_key", "metrics"];

/** HTTP methods a route can declare. */
export type RouteMethod = "get" | "post" | "put" | "patch" | "delete";

/** One response a route can give. */
export interface ResponseDeclaration {
  /** What it means, for the API reference. */
  description: string;
  /** The JSON body's schema; absent for an empty body or a non-JSON one. */
  schema?: z.ZodType;
  /** The media type when the body is not JSON, e.g. `text/event-stream`. */
  contentType?: string;
}

/**
 * Everything about one route: how it is called, who may call it, what it
 * takes and what it answers. The gate (authentication), the validation, the
 * OpenAPI document, the permission docs and the response checks all read it.
 */
export interface RouteDeclaration {
  method: RouteMethod;
  /** Hono pattern relative to where the group is mounted, e.g. `/:orgId/members`. */
  path: string;
  /** One line for the API reference. */
  summary: string;
  /** More detail for the API reference. */
  description?: string;
  auth: AuthKind;
  /** For `user` routes: also accept `?access_token=` (browsers' EventSource cannot set headers). */
  tokenInQuery?: boolean;
  /**
   * The permission-matrix action the route performs; checked in `shared/`
   * against the caller's role in the organization the request names. Absent on
   * routes that need no organization role (a user's own organizations).
   */
  permission?: Action;
  /** Path parameters, one key per `:name` in the path. */
  params?: z.ZodObject;
  /** Query parameters (strings; use coercion). */
  query?: z.ZodType;
  /** The JSON body. */
  body?: z.ZodType;
  /** Whether the body may be left out entirely (the handler then gets `undefined`). */
  bodyOptional?: boolean;
  /** Every success response by status; error responses share one shape. */
  responses: Record<number, ResponseDeclaration>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The validated input a route's handler receives. */
export interface RouteInput<D extends RouteDeclaration> {
  params: Out<D["params"]>;
  query: Out<D["query"]>;
  body: D["bodyOptional"] extends true ? Out<D["body"]> | undefined : Out<D["body"]>;
}

/** A declared route's handler: validated input in, a response out. */
export type RouteHandler<D extends RouteDeclaration> = (
  c: Context<AppEnv>,
  input: RouteInput<D>,
) => Response | Promise<Response>;

/**
 * A Hono sub-app whose every route carries a declaration. `R` is the union of
 * the declarations' types, kept for the web app's typed client (web/lib/typed_client.ts).
 */
export interface RouteGroup<R extends RouteDeclaration = RouteDeclaration> {
  /** The sub-app to mount with `app.route(...)`. */
  readonly app: Hono<AppEnv>;
  /**
   * Adds a route: validates params, query and body as declared, then calls `handler`.
   * Authentication happens before, in the function app's gate, from the same declaration.
   *
   * @param declaration the route's declaration
   * @param handler reads the validated input and answers
   */
  on<const D extends RouteDeclaration>(
    declaration: D,
    handler: RouteHandler<D>,
  ): RouteGroup<R | D>;
  /** Type only: the declarations of the group's routes (never set at run time). */
  readonly declared?: R;
}

const declarations = new WeakMap<object, RouteDeclaration>();

/**
 * A new group of declared routes (one per resource, like a Hono sub-app).
 *
 * @example
 * ```ts
 * const routes = createRouteGroup();
 * routes.on({
 *   method: "get", path: "/jobs/:jobId", summary: "One job", auth: "user",
 *   permission: "jobs.read", params: z.object({ jobId: z.uuid() }),
 *   responses: { 200: { description: "The job", schema: dataOf(jobSchema) } },
 * }, async (c, { params }) => c.json({ data: await getJob(db, c.get("claims"), params.jobId) }));
 * app.route("/", routes.app);
 * ```
 */
export function createRouteGroup(): RouteGroup<never> {
  const app = new Hono<AppEnv>();
  // deno-lint-ignore no-explicit-any
  const group: RouteGroup<any> = {
    app,
    on(declaration, handler) {
      const run = async (c: Context<AppEnv>) => handler(c, await readInput(c, declaration));
      declarations.set(run, declaration);
      app.on(declaration.method.toUpperCase(), declaration.path, run);
      return group;
    },
  };
  return group as RouteGroup<never>;
}

async function readInput<D extends RouteDeclaration>(
  c: Context<AppEnv>,
  declaration: D,
): Promise<RouteInput<D>> {
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(declaration.params?.shape ?? {})) {
    params[name] = readParam(c, name, schema as z.ZodType);
  }
  const query = declaration.query ? readQuery(c, declaration.query) : undefined;
  let body: unknown;
  if (declaration.body) {
    const empty = declaration.bodyOptional && (await c.req.text()).trim() === "";
    body = empty ? undefined : await readJson(c, declaration.body);
  }
  return {
    params: declaration.params ? params : undefined,
    query,
    body,
  } as RouteInput<D>;
}

/**
 * The declaration of a route's handler, or undefined when it was added without one.
 *
 * @param handler a handler from `app.routes` or `matchedRoutes(c)`
 */
export function declarationOf(handler: unknown): RouteDeclaration | undefined {
  return typeof handler === "function" ? declarations.get(handler) : undefined;
}

/**
 * The declared route among the routes that matched a request (its handler), if any.
 *
 * @param routes the matched routes, in order
 */
export function findDeclared(
  routes: readonly RouterRoute[],
): { route: RouterRoute; declaration: RouteDeclaration } | undefined {
  for (const route of routes) {
    const declaration = declarationOf(route.handler);
    if (declaration) return { route, declaration };
  }
  return undefined;
}

/** The error shape every route answers with on failure. */
export const errorBodySchema: z.ZodType = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown(),
  }).strict(),
}).strict();

/**
 * `{ data: schema }`, the envelope of single results.
 *
 * @param schema the schema of `data`
 */
export function dataOf<S extends z.ZodType>(schema: S): z.ZodObject<{ data: S }> {
  return z.object({ data: schema });
}

/**
 * `{ data: schema[], next_cursor }`, the envelope of keyset pages.
 *
 * @param schema the schema of one item
 */
export function pageOf<S extends z.ZodType>(
  schema: S,
): z.ZodObject<{ data: z.ZodArray<S>; next_cursor: z.ZodNullable<z.ZodString> }> {
  return z.object({ data: z.array(schema), next_cursor: z.string().nullable() });
}
