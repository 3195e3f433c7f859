// A QStash-compatible scheduler for self-hosted deployments that cannot use
// Upstash: the same server the dev stack runs, its state in Postgres (a
// `qstash_dev` schema), so a restart delivers every pending message.
// Env: DATABASE_URL, QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY,
// QSTASH_NEXT_SIGNING_KEY, PORT (8080). See docs/operations.md.
import postgres from "postgres";
import { createLogger } from "../../shared/log/mod.ts";
import { createQStashServer } from "../qstash_server/mod.ts";

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`Cannot start: ${name} is not set (see docs/operations.md)`);
  return value;
}

const log = createLogger({ level: "info" });
const sql = postgres(required("DATABASE_URL"), {
  max: Number(Deno.env.get("DB_POOL_MAX") ?? 4),
  onnotice: () => {},
});
const server = await createQStashServer({
  sql,
  log,
  token: required("QSTASH_TOKEN"),
  signingKeys: {
    current: required("QSTASH_CURRENT_SIGNING_KEY"),
    next: required("QSTASH_NEXT_SIGNING_KEY"),
  },
  retryDelayScale: 1,
});
await server.start();
const port = Number(Deno.env.get("PORT") ?? 8080);
Deno.serve({ port, hostname: "0.0.0.0" }, (req) => {
  if (new URL(req.url).pathname === "/health") return Response.json({ status: "ok" });
  return server.fetch(req);
});
log.info("qstash-compatible scheduler serving", { port });
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, async () => {
    await server.stop();
    await sql.end({ timeout: 5 });
    Deno.exit(0);
  });
}
