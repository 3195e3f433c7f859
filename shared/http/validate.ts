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

/** Strings Postgres cannot store: a NUL character, or UTF-16 that is not Unicode. */
function unstorable(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain a NUL character (\\u0000)";
  if (!text.isWellFormed()) return "must be valid Unicode (it has a lone surrogate)";
  return null;
}

/**
 * Every string in `input` (keys included) that Postgres could not store, with
 * its path. Refused before any schema runs, so no such text reaches the
 * database whatever a schema lets through (free text, JSON objects, cursors).
 *
 * @param input parsed JSON, a query-string record or a path parameter
 * @param path where `input` is, for the report
 * @returns the offending fields, empty when there is none
 */
export function unstorableStrings(input: unknown, path: string[] = []): FieldProblem[] {
  const found: FieldProblem[] = [];
  const visit = (value: unknown, at: string[], depth: number): void => {
    if (found.length >= 20) return;
    const where = at.join(".") || "(body)";
    if (typeof value === "string") {
      const message = unstorable(value);
      if (message) found.push({ path: where, message });
    } else if (Array.isArray(value) && depth < 64) {
      value.forEach((item, i) => visit(item, [...at, String(i)], depth + 1));
    } else if (value && typeof value === "object" && depth < 64) {
      for (const [key, item] of Object.entries(value)) {
        const message = unstorable(key);
        if (message) found.push({ path: [...at, key].join("."), message: `name ${message}` });
        visit(item, [...at, key], depth + 1);
      }
    }
  };
  visit(input, path, 0);
  return found;
}

function check<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const unsafe = unstorableStrings(input);
  if (unsafe.length > 0) {
    throw new HttpError(400, `The ${what} is not valid`, {
      code: "validation_failed",
      details: unsafe,
    });
  }
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
  const value = c.req.param(name);
  const unsafe = unstorableStrings(value, [name]);
  if (unsafe.length > 0) {
    throw new HttpError(400, `The ${name} in the path is not valid`, {
      code: "validation_failed",
      details: unsafe,
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(400, `The ${name} in the path is not valid`, {
      code: "validation_failed",
      details: [{ path: name, message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
  return parsed.data;
}
