// The audit function: the organization's tamper-evident audit trail.
//
// Each route declares who may call it and what it takes and answers (see
// routes/audit.ts, GET /audit/openapi.json and the permission table in
// docs/architecture.md). Everything needs `audit.read` (auditor and above);
// non-members get 404 — except Supabase Auth's password hook, signed instead. How entries are written: docs/audit.md.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { auditRoutes } from "./routes/audit.ts";
import { hookRoutes } from "./routes/hooks.ts";

/**
 * Builds the audit app, mounted at `/audit`.
 *
 * @param services configuration, database, logger and token verifier
 */
export function createAuditApp(services: Services): FunctionApp {
  const app = createFunctionApp("audit", services, {
    description:
      "The organization's tamper-evident audit trail, its verification and access reviews",
  });
  app.route("/", auditRoutes(services).app);
  app.route("/", hookRoutes(services).app);
  return app;
}
