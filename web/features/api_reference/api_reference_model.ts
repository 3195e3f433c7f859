/**
 * The API reference's data: each function's OpenAPI 3.1 document (served
 * publicly at `/functions/v1/<name>/openapi.json`, generated from the route
 * declarations) reduced to what the page shows.
 *
 * @module
 */

/** The functions whose documents the reference shows, in reading order. */
export const API_FUNCTIONS = ["organizations", "instances", "analysis", "tasks"] as const;

/** One parameter of an operation. */
export interface ReferenceParameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  type: string;
  description?: string;
}

/** One operation, as the page lists it. */
export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  auth: string;
  permission: string | null;
  parameters: ReferenceParameter[];
  body: { required: boolean; schema: unknown } | null;
  responses: { status: string; description: string; schema: unknown }[];
}

/** One function's section of the reference. */
export interface ReferenceSection {
  name: string;
  description: string;
  operations: ReferenceOperation[];
}

type Json = Record<string, unknown>;

function typeOf(schema: Json | undefined): string {
  if (!schema) return "any";
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const format = typeof schema.format === "string" ? ` (${schema.format})` : "";
  return `${String(schema.type ?? "any")}${format}`;
}

/**
 * The operations of one OpenAPI document, in path order.
 *
 * @param name the function's name
 * @param doc its OpenAPI document
 */
export function sectionOf(name: string, doc: Json): ReferenceSection {
  const operations: ReferenceOperation[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody as Json | undefined;
      const content = (body?.content as Record<string, Json> | undefined)?.["application/json"];
      operations.push({
        id: String(op.operationId ?? `${method}${path}`),
        method: method.toUpperCase(),
        path,
        summary: String(op.summary ?? ""),
        description: String(op.description ?? ""),
        auth: String(op["x-auth"] ?? "user"),
        permission: typeof op["x-permission"] === "string" ? op["x-permission"] : null,
        parameters: ((op.parameters ?? []) as Json[]).map((p) => ({
          name: String(p.name),
          in: p.in === "path" ? "path" : "query",
          required: Boolean(p.required),
          type: typeOf(p.schema as Json | undefined),
          description: typeof p.description === "string" ? p.description : undefined,
        })),
        body: content ? { required: Boolean(body?.required), schema: content.schema } : null,
        responses: Object.entries((op.responses ?? {}) as Record<string, Json>)
          .filter(([status]) => status !== "default")
          .map(([status, r]) => ({
            status,
            description: String(r.description ?? ""),
            schema: ((r.content as Record<string, Json> | undefined)?.["application/json"])
              ?.schema ?? null,
          })),
      });
    }
  }
  const info = (doc.info ?? {}) as Json;
  return { name, description: String(info.description ?? ""), operations };
}

/**
 * Fetches every function's document and reduces it to sections.
 *
 * @param functionsUrl the functions' base URL, e.g. `https://…/functions/v1`
 * @param fetcher the fetch to use (tests pass their own)
 * @throws {Error} naming the function whose document could not be read
 */
export async function loadReference(
  functionsUrl: string,
  fetcher: typeof fetch = fetch,
): Promise<ReferenceSection[]> {
  const base = functionsUrl.replace(/\/$/, "");
  return await Promise.all(API_FUNCTIONS.map(async (name) => {
    const res = await fetcher(`${base}/${name}/openapi.json`);
    if (!res.ok) throw new Error(`Cannot load the ${name} API's document: HTTP ${res.status}`);
    return sectionOf(name, await res.json());
  }));
}
