// The dashboard function: an organization's posture over all its instances.
//
// Each route declares who may call it and what it takes and answers (see
// routes/dashboard.ts, GET /dashboard/openapi.json and the permission table in
// docs/architecture.md). GET /dashboard is cached (X-Cache: hit|miss).
//
// A non-member gets 404. Figures come from each instance's latest successful
// full run with the suppressions in force now; the cache is invalidated when
// a run or sync finishes, a suppression or triage changes, or an instance is
// added or removed (shared/posture/cache.ts).
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";

/**
 * Builds the dashboard app, mounted at `/dashboard`.
 *
 * @param services configuration, database, logger, token verifier and cache
 */
export function createDashboardApp(services: Services): FunctionApp {
  const app = createFunctionApp("dashboard", services, {
    description: "An organization's posture over its instances",
  });
  app.route("/", dashboardRoutes(services).app);
  return app;
}
