// The organizations function: tenants, their settings and their members.
//
// Route                                   | who may call it
// GET    /organizations                   | any signed-in user (their orgs)
// POST   /organizations                   | any signed-in user (becomes owner)
// GET    /organizations/:orgId            | members
// PATCH  /organizations/:orgId            | admin, owner
// GET    /organizations/:orgId/members    | members
// POST   /organizations/:orgId/members    | admin, owner (owner role: owners only)
// PATCH  /organizations/:orgId/members/:userId | admin, owner (owner role: owners only)
// DELETE /organizations/:orgId/members/:userId | admin, owner, or the member themselves
// POST   /organizations/:orgId/leave      | members (not the last owner)
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
import { membersRoutes } from "./routes/members.ts";
import { orgsRoutes } from "./routes/orgs.ts";

/**
 * Builds the organizations app, mounted at `/organizations`.
 *
 * @param services configuration, database, logger and token verifier
 */
export function createOrganizationsApp(services: Services): FunctionApp {
  const app = createFunctionApp("organizations", services);
  // Registered after /health, /ready and /metrics, which therefore stay public.
  app.use(requireUser(services.auth));
  app.route("/", orgsRoutes(services));
  app.route("/", membersRoutes(services));
  return app;
}
