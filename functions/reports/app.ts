// The reports function: saved report definitions, generated files (PDF, Excel,
// CSV, JSON, evidence packs) with progress, downloads and links, schedules and
// their deliveries by email and webhook.
//
// Each route declares who may call it and what it takes and answers (see
// routes/*.ts, GET /reports/openapi.json and the permission table in
// docs/architecture.md). Link downloads and the signing key are public.
//
// Foreign or unknown resources answer 404; a member without the role 403.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { configureSecretKeyring } from "../../shared/secrets/mod.ts";
import {
  currentReportStorage,
  loadReportsConfig,
  type ReportServices,
} from "../../shared/reports/mod.ts";
import { definitionRoutes } from "./routes/definitions.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { exportRoutes } from "./routes/exports.ts";
import { previewRoutes } from "./routes/preview.ts";
import { publicRoutes } from "./routes/public.ts";

/**
 * Builds the reports app, mounted at `/reports`.
 *
 * @param services configuration, database, logger, token verifier and task client
 */
export function createReportsApp(services: Services): FunctionApp {
  // Webhook secrets are sealed with this configuration's keyring (workers here too).
  configureSecretKeyring(services.config);
  const app = createFunctionApp("reports", services, {
    description:
      "Saved reports, generated files (PDF, Excel, CSV, JSON, evidence packs), downloads and links",
  });
  const config = loadReportsConfig();
  const reports: ReportServices = {
    db: services.db,
    tasks: services.tasks,
    storage: currentReportStorage(),
    config: {
      ...config,
      PUBLIC_URL: config.PUBLIC_URL ?? services.config.PUBLIC_URL,
      // Dev mode for webhook URLs follows the app's switch for instance URLs.
      ALLOW_PRIVATE_INSTANCE_URLS: config.ALLOW_PRIVATE_INSTANCE_URLS ||
        services.config.ALLOW_PRIVATE_INSTANCE_URLS,
    },
  };
  app.route("/", publicRoutes(reports).app);
  app.route("/", definitionRoutes(reports).app);
  app.route("/", exportRoutes(reports).app);
  app.route("/", deliveryRoutes(reports).app);
  app.route("/", previewRoutes(reports).app);
  return app;
}
