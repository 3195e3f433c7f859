// The instances function: ServiceNow instances, their connection, syncs and schedules.
//
// Each route declares who may call it and what it takes and answers (see
// routes/*.ts, GET /instances/openapi.json and the permission table in
// docs/architecture.md).
//
// Foreign or unknown instances answer 404; a member without the role 403.
// Credentials never appear in a response, a log line or an error.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
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
  const app = createFunctionApp("instances", services, {
    description: "ServiceNow instances: their connection, syncs and sync schedules",
  });
  app.route("/", connectionRoutes(services).app);
  app.route("/", syncRoutes(services).app);
  app.route("/", instancesRoutes(services).app);
  return app;
}
