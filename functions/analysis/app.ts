// The analysis function: the check catalog, runs, findings, suppressions,
// triage and custom checks.
//
// Route                                          | who may call it
// GET    /analysis/catalog?org_id=…&area&severity&family&framework&enabled&q | members
// GET    /analysis/catalog/:checkId?org_id=…     | members
// PUT    /analysis/catalog/:checkId/settings     | admin, owner (enabled, parameter overrides)
// GET    /analysis/frameworks                    | signed-in users
// GET    /analysis/frameworks/:frameworkId       | signed-in users
// POST   /analysis/runs                          | analyst, admin, owner (202 with the run and its job)
// GET    /analysis/runs?instance_id=…            | members (newest first, keyset pages)
// GET    /analysis/runs/:runId                   | members (progress; scores, summary, explanation)
// GET    /analysis/runs/:runId/events            | members (SSE; token in header or ?access_token=)
// GET    /analysis/runs/:runId/checks            | members (every check's verdict)
// GET    /analysis/runs/:runId/checks/:checkId   | members (one verdict with its evidence)
// GET    /analysis/runs/:runId/frameworks/:id    | members (requirement by requirement)
// GET    /analysis/findings?run_id|instance_id…  | members (filters, sort, keyset pages)
// GET    /analysis/findings/groups?run_id|instance_id… | members (by check: resources affected, total)
// POST   /analysis/findings/bulk/triage          | analyst, admin, owner (≤ 200 findings, all or nothing)
// POST   /analysis/findings/bulk/mute            | analyst, admin, owner (≤ 200 findings, all or nothing)
// GET    /analysis/findings/:findingId           | members (evidence, history, triage, suppressions)
// PUT    /analysis/findings/:findingId/triage    | analyst, admin, owner
// GET    /analysis/suppressions?org_id=…         | members
// POST   /analysis/suppressions                  | analyst+ (organization-wide: admin, owner)
// POST   /analysis/suppressions/:id/revoke       | analyst+ (organization-wide: admin, owner)
// GET    /analysis/custom-checks?org_id=…        | members
// POST   /analysis/custom-checks                 | analyst, admin, owner
// POST   /analysis/custom-checks/preview         | analyst, admin, owner (nothing is saved)
// GET    /analysis/custom-checks/:id             | members
// PATCH  /analysis/custom-checks/:id             | analyst, admin, owner
// DELETE /analysis/custom-checks/:id             | analyst, admin, owner
// GET    /analysis/tables?instance_id=…          | members (synced tables and fields, for the editor)
//
// Foreign or unknown resources answer 404; a member without the role 403.
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
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
  const app = createFunctionApp("analysis", services);
  // The event stream checks its own token (EventSource cannot send headers).
  app.route("/", runEventRoutes(services));
  app.use(requireUser(services.auth));
  app.route("/", catalogRoutes(services));
  app.route("/", runRoutes(services));
  app.route("/", findingRoutes(services));
  app.route("/", suppressionRoutes(services));
  app.route("/", customCheckRoutes(services));
  return app;
}
