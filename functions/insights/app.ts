// The insights function: trends, comparisons and recommendations.
//
// Route                                                       | who may call it
// GET /insights/trends?org_id=…&instance_ids&framework&area&days | members (cached)
// GET /insights/recommendations?org_id=…&expiring_days=14      | members (cached)
// GET /insights/compare/runs?base=…&target=…                  | members (two runs of one instance)
// GET /insights/compare/instances?a=…&b=…&show=differences|all | members
//
// Foreign or unknown organizations, runs and instances answer 404.
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
import { compareRoutes } from "./routes/compare.ts";
import { trendRoutes } from "./routes/trends.ts";

/**
 * Builds the insights app, mounted at `/insights`.
 *
 * @param services configuration, database, logger, token verifier and cache
 */
export function createInsightsApp(services: Services): FunctionApp {
  const app = createFunctionApp("insights", services);
  app.use(requireUser(services.auth));
  app.route("/", trendRoutes(services));
  app.route("/", compareRoutes(services));
  return app;
}
