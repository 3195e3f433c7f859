import type { Hono } from "hono";
import { z } from "zod";
import { type Permission, PERMISSIONS } from "../permissions/mod.ts";
import { type AuthKind, declarationOf, errorBodySchema, type RouteDeclaration } from "./route.ts";

/** A declared route with its full path, as `app.routes` lists it. */
export interface DeclaredRoute {
  method: string;
  /** The full Hono pattern, e.g. `/organizations/:orgId/members`. */
  path: string;
  declaration: RouteDeclaration;
}

/** What {@linkcode listRoutes} found: declared routes, and handlers without a declaration. */
export interface RouteListing {
  declared: DeclaredRoute[];
  undeclared: { method: string; path: string }[];
}

/**
 * Every route of an app, declared or not (middleware entries left out).
 *
 * @param app a function app
 */
// deno-lint-ignore no-explicit-any
export function listRoutes(app: Hono<any, any, any>): RouteListing {
  const declared: DeclaredRoute[] = [];
  const undeclared: { method: string; path: string }[] = [];
  const seen = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const declaration = declarationOf(route.handler);
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (declaration) declared.push({ method: route.method, path: route.path, declaration });
    else undeclared.push({ method: route.method, path: route.path });
  }
  return { declared, undeclared };
}

/** Title and description of a function's OpenAPI document. */
export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
}

type JsonSchema = Record<string, unknown>;

const SECURITY: Record<AuthKind, Record<string, string[]>[]> = {
  public: [],
  user: [{ bearer: [] }],
  worker: [{ qstash: [] }],
  // Either credential: a user's token or an organization API key.
  api_key: [{ bearer: [] }, { apiKey: [] }],
  metrics: [{ metricsToken: [] }],
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });
  delete (out as JsonSchema).$schema;
  return out as JsonSchema;
}

function parameters(declaration: RouteDeclaration): JsonSchema[] {
  const list: JsonSchema[] = [];
  const add = (schema: z.ZodType | undefined, where: "path" | "query") => {
    if (!schema) return;
    const object = jsonSchema(schema, "input");
    const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((object.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      list.push({
        name,
        in: where,
        required: where === "path" || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  add(declaration.params, "path");
  add(declaration.query, "query");
  if (declaration.tokenInQuery) {
    list.push({
      name: "access_token",
      in: "query",
      required: false,
      description: "The access token, for clients that cannot send headers (EventSource)",
      schema: { type: "string" },
    });
  }
  return list;
}

function operation(route: DeclaredRoute, tag: string): JsonSchema {
  const d = route.declaration;
  const permission: Permission | undefined = d.permission ? PERMISSIONS[d.permission] : undefined;
  const who = d.auth === "user"
    ? permission
      ? `Needs \`${d.permission}\` (${permission.role} or higher${
        permission.note ? `; ${permission.note}` : ""
      }).`
      : "Any signed-in user."
    : `Auth: ${d.auth}.`;
  const responses: JsonSchema = {};
  for (const [status, response] of Object.entries(d.responses)) {
    const media = response.schema
      ? { "application/json": { schema: jsonSchema(response.schema, "output") } }
      : response.contentType
      ? { [response.contentType]: {} }
      : undefined;
    responses[status] = { description: response.description, ...(media ? { content: media } : {}) };
  }
  responses.default = {
    description: "An error, in the one error shape",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
  return {
    operationId: `${d.method}${
      route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch) => ch ? String(ch).toUpperCase() : "")
    }`,
    summary: d.summary,
    description: [d.description, who].filter(Boolean).join("\n\n"),
    tags: [tag],
    security: SECURITY[d.auth],
    ...(d.permission ? { "x-permission": d.permission } : {}),
    "x-auth": d.auth,
    parameters: parameters(d),
    ...(d.body
      ? {
        requestBody: {
          required: !d.bodyOptional,
          content: { "application/json": { schema: jsonSchema(d.body, "input") } },
        },
      }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of a function app, from its route declarations.
 * Paths are as the function sees them (`/<name>/...`); the server URL adds
 * `/functions/v1`.
 *
 * @param app a function app
 * @param info title, description and version
 */
// deno-lint-ignore no-explicit-any
export function openApiDocument(app: Hono<any, any, any>, info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tag = info.title;
  for (const route of listRoutes(app).declared) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, tag);
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, description: info.description, version: info.version },
    servers: [{ url: "/functions/v1", description: "Supabase Edge Functions (or the dev stack)" }],
    tags: [{ name: tag, description: info.description }],
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, "output") },
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Supabase Auth access token",
        },
        qstash: {
          type: "apiKey",
          in: "header",
          name: "Upstash-Signature",
          description: "A QStash signature over the raw body",
        },
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "ciq_live_<id>_<secret>",
          description:
            "An organization API key (viewer or analyst), sent as a bearer credential; see docs/api-keys.md",
        },
        metricsToken: {
          type: "http",
          scheme: "bearer",
          description: "The scrape credential set in METRICS_TOKEN",
        },
      },
    },
  };
}
