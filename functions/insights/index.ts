// Entry point on Supabase Edge Functions (and `deno run` with env vars set).
import { createServicesFromEnv } from "../../shared/runtime/mod.ts";
import { createInsightsApp } from "./app.ts";

const app = createInsightsApp(createServicesFromEnv());
Deno.serve(app.fetch);
