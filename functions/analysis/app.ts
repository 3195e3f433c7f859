// The analysis function: the check catalog, runs, findings, suppressions,
// triage and custom checks.
//
// Each route declares who may call it and what it takes and answers (see
// routes/*.ts, GET /analysis/openapi.json and the permission table in
// docs/architecture.md).
//
// Foreign or unknown resources answer 404; a member without the role 403.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { customCheckRoutes } from "./routes/custom_checks.ts";
import { findingRoutes } from "./routes/findings.ts";
import { runEventRoutes, runRoutes } from "./routes/runs.ts";
import { suppressionRoutes } from "./routes/suppressions.ts";

/**
 * Builds the analysis app, mounted at `/analysis`.
 *
 * @param services configuration, database, logger, token verifier and task client
 */
export function createAnalysisApp(services: Services): FunctionApp {
  const app = createFunctionApp("analysis", services, {
    description:
      "The check catalog, analysis runs, findings, triage, suppressions and custom checks",
  });
  app.route("/", runEventRoutes(services).app);
  app.route("/", catalogRoutes(services).app);
  app.route("/", runRoutes(services).app);
  app.route("/", findingRoutes(services).app);
  app.route("/", suppressionRoutes(services).app);
  app.route("/", customCheckRoutes(services).app);
  return app;
}
