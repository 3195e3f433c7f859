// Entry point on Supabase Edge Functions (and `deno run` with env vars set).
import { createServicesFromEnv, serveFunction } from "../../shared/runtime/mod.ts";
import { createWidgetsApp } from "./app.ts";

const app = createWidgetsApp(createServicesFromEnv());
serveFunction(app);
