// The reports function: saved report definitions, generated files (PDF, Excel,
// CSV, JSON, evidence packs) with progress, downloads and links.
//
// Route                                          | who may call it
// GET    /reports/definitions?org_id=…           | members
// POST   /reports/definitions                    | analyst+ (a schedule or recipients: admin, owner)
// GET    /reports/definitions/:id                | members
// PATCH  /reports/definitions/:id                | analyst+ (schedule, recipients: admin, owner)
// DELETE /reports/definitions/:id                | analyst+ (a scheduled one: admin, owner)
// POST   /reports/exports                        | analyst, admin, owner (202; a `reports.export` job)
// GET    /reports/exports?org_id=…               | members (newest first, keyset pages, progress)
// GET    /reports/exports/:id                    | members
// GET    /reports/exports/:id/download           | members (streamed; recorded)
// GET    /reports/exports/:id/links              | members
// POST   /reports/exports/:id/links              | download: members; share (outside the org): admin, owner
// POST   /reports/links/:id/revoke               | admin, owner
// GET    /reports/links/:token                   | anyone holding an unexpired, unrevoked link (recorded)
// GET    /reports/.well-known/jwks.json          | anyone (the public key evidence packs are signed with)
//
// Foreign or unknown resources answer 404; a member without the role 403.
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
import {
  currentReportStorage,
  loadReportsConfig,
  type ReportServices,
} from "../../shared/reports/mod.ts";
import { definitionRoutes } from "./routes/definitions.ts";
import { exportRoutes } from "./routes/exports.ts";
import { publicRoutes } from "./routes/public.ts";

/**
 * Builds the reports app, mounted at `/reports`.
 *
 * @param services configuration, database, logger, token verifier and task client
 */
export function createReportsApp(services: Services): FunctionApp {
  const app = createFunctionApp("reports", services);
  const reports: ReportServices = {
    db: services.db,
    tasks: services.tasks,
    storage: currentReportStorage(),
    config: loadReportsConfig(),
  };
  app.route("/", publicRoutes(reports));
  app.use(requireUser(services.auth));
  app.route("/", definitionRoutes(reports));
  app.route("/", exportRoutes(reports));
  return app;
}
