// The Upstash Redis REST protocol in front of a self-hosted Redis (what SRH,
// hiett/serverless-redis-http, also does): for deployments without Upstash.
// Env: REDIS_URL (redis://host:6379), UPSTASH_REDIS_REST_TOKEN, PORT (8079).
import { createRedisRestServer } from "../redis_server/mod.ts";

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`Cannot start: ${name} is not set (see docs/operations.md)`);
  return value;
}

const rest = createRedisRestServer({
  redisUrl: required("REDIS_URL"),
  token: required("UPSTASH_REDIS_REST_TOKEN"),
});
const port = Number(Deno.env.get("PORT") ?? 8079);
Deno.serve({ port, hostname: "0.0.0.0" }, (req) => {
  if (req.method === "GET" && new URL(req.url).pathname === "/health") {
    return Response.json({ status: "ok" });
  }
  return rest.fetch(req);
});
