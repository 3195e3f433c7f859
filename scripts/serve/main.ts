// The self-hosted server (the container image's command): every function and
// the web app on one port, configured only by the environment. See
// docs/operations.md for the variables.
import { ConfigError } from "../../shared/env/mod.ts";
import { createServicesFromEnv } from "../../shared/runtime/mod.ts";
import { createProductionServer } from "./server.ts";

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new ConfigError(`Cannot start: ${name} is not set (see docs/operations.md)`);
  return value;
}

const services = createServicesFromEnv();
const publicUrl = required("PUBLIC_URL").replace(/\/$/, "");
const server = createProductionServer(services, {
  webDist: Deno.env.get("WEB_DIST") ?? "web/dist",
  authUpstream: Deno.env.get("AUTH_UPSTREAM_URL"),
  appConfig: {
    supabaseUrl: required("SUPABASE_URL"),
    supabaseAnonKey: required("SUPABASE_ANON_KEY"),
    functionsUrl: `${publicUrl}/functions/v1`,
  },
});
// The stale-job reaper is a QStash cron schedule; creating it is idempotent.
await services.tasks.ensureSystemSchedules().catch((error) =>
  services.log.error("cannot create the reaper's schedule", { error })
);
const port = Number(Deno.env.get("PORT") ?? 8000);
Deno.serve({ port, hostname: Deno.env.get("HOST") ?? "0.0.0.0" }, server.fetch);
services.log.info("serving", { port, functions: server.names });
