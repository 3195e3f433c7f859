// The organizations function: tenants, their settings, their members and API keys.
//
// Each route declares who may call it and what it takes and answers (see
// routes/*.ts, GET /organizations/openapi.json and the permission table in
// docs/architecture.md).
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { apiKeysRoutes } from "./routes/api_keys.ts";
import { invitationsRoutes } from "./routes/invitations.ts";
import { membersRoutes } from "./routes/members.ts";
import { ownershipRoutes } from "./routes/ownership.ts";
import { orgsRoutes } from "./routes/orgs.ts";

/**
 * Builds the organizations app, mounted at `/organizations`.
 *
 * @param services configuration, database, logger and token verifier
 */
export function createOrganizationsApp(services: Services): FunctionApp {
  const app = createFunctionApp("organizations", services, {
    description:
      "Organizations (tenants), their settings, members, invitations, ownership and API keys",
  });
  app.route("/", invitationsRoutes(services).app);
  app.route("/", orgsRoutes(services).app);
  app.route("/", membersRoutes(services).app);
  app.route("/", apiKeysRoutes(services).app);
  app.route("/", ownershipRoutes(services).app);
  return app;
}
