// Entry point on Supabase Edge Functions (and `deno run` with env vars set).
import { createServicesFromEnv, serveFunction } from "../../shared/runtime/mod.ts";
import { createTasksApp } from "./app.ts";

const services = createServicesFromEnv();
const app = createTasksApp(services);

// The reaper runs as a QStash cron schedule; make sure it exists (idempotent).
const ensured = services.tasks.ensureSystemSchedules().catch((error) =>
  services.log.error("cannot create the reaper's schedule", { error })
);
(globalThis as { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } }).EdgeRuntime
  ?.waitUntil(ensured);

serveFunction(app);
