/** Something that answers requests, as a Hono app does. */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * Serves one function's app on `PORT` (8000 when unset): the Supabase Edge
 * Runtime ignores the port, a container or a test that starts several
 * functions side by side sets it.
 *
 * @param app the function's app
 * @param env where `PORT` is read from
 */
export function serveFunction(
  app: FetchHandler,
  env: { get(name: string): string | undefined } = Deno.env,
): Deno.HttpServer {
  const raw = env.get("PORT");
  const port = raw === undefined || raw === "" ? 8000 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Cannot start: PORT must be a port number, not "${raw}"`);
  }
  const hostname = env.get("HOST") || "0.0.0.0";
  return Deno.serve({ port, hostname }, (request) => app.fetch(request));
}
