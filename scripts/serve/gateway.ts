import type { FunctionApp } from "../../shared/http/mod.ts";

/**
 * Routes `/functions/v1/<name>/...` to the function, as Supabase's gateway does:
 * the function sees `/<name>/...`. Used by the dev stack and by the one-port
 * production server (scripts/serve/main.ts).
 *
 * @param req the incoming request
 * @param functions the function apps by name
 * @param connection the connection info, passed on (the rate limiter keys anonymous calls on the peer)
 */
export function routeToFunction(
  req: Request,
  functions: ReadonlyMap<string, FunctionApp>,
  connection: unknown,
): Response | Promise<Response> {
  const url = new URL(req.url);
  const name = url.pathname.split("/")[3] ?? "";
  const app = functions.get(name);
  if (!app) {
    return Response.json(
      {
        error: {
          code: "function_not_found",
          message: `No function named "${name}"`,
          details: null,
        },
      },
      { status: 404 },
    );
  }
  url.pathname = url.pathname.replace(/^\/functions\/v1/, "");
  return app.fetch(new Request(url, req), connection);
}
