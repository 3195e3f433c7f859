import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./app.ts";
import { HttpError } from "./errors.ts";
import { errorBodySchema, findDeclared } from "./route.ts";

/**
 * Checks every response of a declared route against its declaration: a
 * success status must be declared and its JSON body must match the declared
 * schema; an error must have the one error shape. A mismatch becomes a 500
 * `response_mismatch` naming the problems, so tests that call routes fail.
 * For tests and development (`CHECK_RESPONSES=true`), not production.
 */
export function checkResponses(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const declared = findDeclared(matchedRoutes(c));
    if (!declared) return;
    const { declaration, route } = declared;
    const status = c.res.status;
    const where = `${declaration.method.toUpperCase()} ${route.path}`;
    const expected = status >= 400
      ? { description: "error", schema: errorBodySchema }
      : declaration.responses[status];
    let problems: unknown[] | null = null;
    if (!expected) {
      problems = [{ path: "(status)", message: `${status} is not a declared response` }];
    } else if (expected.schema) {
      const type = c.res.headers.get("content-type") ?? "";
      if (!type.includes("json")) {
        problems = [{ path: "(content-type)", message: `expected JSON, got "${type}"` }];
      } else {
        const parsed = expected.schema.safeParse(await c.res.clone().json());
        if (!parsed.success) {
          problems = parsed.error.issues.map((issue) => ({
            path: issue.path.map(String).join(".") || "(body)",
            message: issue.message,
          }));
        }
      }
    }
    if (problems) {
      c.get("log").error("response does not match its declaration", { route: where, problems });
      const error = new HttpError(500, `The response of ${where} does not match its declaration`, {
        code: "response_mismatch",
        details: { status, problems },
      });
      c.res = undefined;
      c.res = c.json(error.toBody(), 500);
    }
  };
}
