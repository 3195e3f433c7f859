// The dashboard function: an organization's posture over all its instances.
//
// Route                                                  | who may call it
// GET /dashboard?org_id=…&instance_ids=a,b&framework=…   | members (cached; X-Cache: hit|miss)
//
// A non-member gets 404. Figures come from each instance's latest successful
// full run with the suppressions in force now; the cache is invalidated when
// a run or sync finishes, a suppression or triage changes, or an instance is
// added or removed (shared/posture/cache.ts).
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";

/**
 * Builds the dashboard app, mounted at `/dashboard`.
 *
 * @param services configuration, database, logger, token verifier and cache
 */
export function createDashboardApp(services: Services): FunctionApp {
  const app = createFunctionApp("dashboard", services);
  app.use(requireUser(services.auth));
  app.route("/", dashboardRoutes(services));
  return app;
}
