// Entry point on Supabase Edge Functions (and `deno run` with env vars set).
import { createServicesFromEnv } from "../../shared/runtime/mod.ts";
import { createAuditApp } from "./app.ts";

const app = createAuditApp(createServicesFromEnv());
Deno.serve(app.fetch);
