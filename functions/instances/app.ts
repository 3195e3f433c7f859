// The instances function: ServiceNow instances, their connection, syncs and schedules.
//
// Route                                        | who may call it
// GET    /instances?org_id=…                   | members (viewer and up)
// POST   /instances                            | admin, owner (plan's max_instances enforced in SQL; starts the first sync)
// POST   /instances/test-connection            | admin, owner (unsaved settings; nothing stored)
// GET    /instances/:id                        | members
// PATCH  /instances/:id                        | admin, owner (credentials are write-only)
// DELETE /instances/:id                        | admin, owner (synced data goes with it)
// POST   /instances/:id/test                   | analyst and up; with changed url/credentials admin, owner
// POST   /instances/:id/sync                   | analyst and up (202 with the run and its job)
// GET    /instances/:id/syncs                  | members (history, newest first, paged)
// GET    /instances/:id/syncs/:runId           | members (one run with per-table figures)
// GET    /instances/:id/tables                 | members (readable or not, counts, high-water marks)
// PUT    /instances/:id/schedule               | admin, owner ({schedule: {cron, timezone} | null})
//
// Foreign or unknown instances answer 404; a member without the role 403.
// Credentials never appear in a response, a log line or an error.
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
import {
  configureInstanceRuntime,
  type InstanceRuntimeOptions,
} from "../../shared/instances/mod.ts";
import { connectionRoutes } from "./routes/connection.ts";
import { instancesRoutes } from "./routes/instances.ts";
import { syncRoutes } from "./routes/syncs.ts";

/** Test hooks for {@linkcode createInstancesApp}. */
export type InstancesAppOptions = Omit<InstanceRuntimeOptions, "config">;

/**
 * Builds the instances app, mounted at `/instances`.
 *
 * @param services configuration, database, logger, token verifier and task client
 * @param options how instances are reached (tests route fetch to the simulator)
 */
export function createInstancesApp(
  services: Services,
  options: InstancesAppOptions = {},
): FunctionApp {
  // The sync task running in this process (dev stack, tests) uses the same runtime.
  configureInstanceRuntime({ config: services.config, ...options });
  const app = createFunctionApp("instances", services);
  app.use(requireUser(services.auth));
  app.route("/", connectionRoutes(services));
  app.route("/", syncRoutes(services));
  app.route("/", instancesRoutes(services));
  return app;
}
