// The insights function: trends, comparisons and recommendations.
//
// Each route declares who may call it and what it takes and answers (see
// routes/*.ts, GET /insights/openapi.json and the permission table in
// docs/architecture.md). Trends and recommendations are cached per organization.
//
// Foreign or unknown organizations, runs and instances answer 404; a member
// without the role 403.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { compareRoutes } from "./routes/compare.ts";
import { trendRoutes } from "./routes/trends.ts";

/**
 * Builds the insights app, mounted at `/insights`.
 *
 * @param services configuration, database, logger, token verifier and cache
 */
export function createInsightsApp(services: Services): FunctionApp {
  const app = createFunctionApp("insights", services, {
    description: "Trends, recommendations, and comparisons of runs and instances",
  });
  app.route("/", trendRoutes(services).app);
  app.route("/", compareRoutes(services).app);
  return app;
}
