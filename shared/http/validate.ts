import type { Context } from "hono";
import type { z } from "zod";
import { HttpError } from "./errors.ts";

/** One field that failed validation. */
export interface FieldProblem {
  path: string;
  message: string;
}

function problems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

function check<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new HttpError(400, `The ${what} is not valid`, {
      code: "validation_failed",
      details: problems(parsed.error),
    });
  }
  return parsed.data;
}

/**
 * Parses the JSON body with `schema`.
 *
 * @param c the request context
 * @param schema zod schema for the body
 * @throws {HttpError} 415 for a non-JSON body, 400 for malformed JSON or invalid fields
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(415, "Send the body as JSON (Content-Type: application/json)");
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new HttpError(400, "The request body is not valid JSON", { code: "malformed_json" });
  }
  return check(schema, body, "request body");
}

/**
 * Parses the query string with `schema` (values arrive as strings; use coercion).
 *
 * @param c the request context
 * @param schema zod schema for the query parameters
 * @throws {HttpError} 400 with the offending parameters
 */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return check(schema, c.req.query(), "query string");
}

/**
 * Parses one path parameter with `schema`.
 *
 * @param c the request context
 * @param name the parameter name in the route pattern
 * @param schema zod schema for its value
 * @throws {HttpError} 400 when it does not match
 */
export function readParam<S extends z.ZodType>(c: Context, name: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.param(name));
  if (!parsed.success) {
    throw new HttpError(400, `The ${name} in the path is not valid`, {
      code: "validation_failed",
      details: [{ path: name, message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
  return parsed.data;
}
