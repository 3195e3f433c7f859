// The tasks function: the QStash callback endpoint, and the jobs API.
//
// Route                              | who may call it
// POST /tasks/qstash                 | QStash only (Upstash-Signature over the raw body)
// GET  /tasks/jobs?org_id=…          | members of the organization
// GET  /tasks/jobs/:jobId            | members
// GET  /tasks/jobs/:jobId/deliveries | members
// GET  /tasks/jobs/events?org_id=…   | members (SSE of the newest jobs; token as below)
// GET  /tasks/jobs/:jobId/events     | members (SSE; token in header or ?access_token=)
// POST /tasks/jobs/:jobId/cancel     | analyst, admin, owner
// POST /tasks/probe                  | admin, owner (diagnostic job)
import { ConfigError } from "../../shared/env/mod.ts";
import {
  createFunctionApp,
  type FunctionApp,
  requireUser,
  type Services,
} from "../../shared/http/mod.ts";
import { createTaskRegistry, taskCallbackUrl, type TaskRegistry } from "../../shared/tasks/mod.ts";
import { TASK_KINDS } from "./kinds.ts";
import { jobEventsRoutes, jobsRoutes } from "./routes/jobs.ts";
import { probeRoutes } from "./routes/probe.ts";
import { qstashRoutes } from "./routes/qstash.ts";

/** Options for {@linkcode createTasksApp}. */
export interface TasksAppOptions {
  /** Task kinds to run; every kind in kinds.ts by default. */
  registry?: TaskRegistry;
}

/**
 * Builds the tasks app, mounted at `/tasks`.
 *
 * @param services configuration, database, logger, token verifier and task client
 * @param options the task kinds to run
 * @throws {ConfigError} when the signing keys or the public callback URL are missing
 */
export function createTasksApp(services: Services, options: TasksAppOptions = {}): FunctionApp {
  const config = services.config;
  const missing = [
    config.QSTASH_CURRENT_SIGNING_KEY ? null : "QSTASH_CURRENT_SIGNING_KEY",
    config.QSTASH_NEXT_SIGNING_KEY ? null : "QSTASH_NEXT_SIGNING_KEY",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigError(
      `Cannot start the tasks function: ${missing.join(" and ")} not set (QStash signing keys)`,
    );
  }
  const callbackUrl = taskCallbackUrl(config);
  if (!callbackUrl) {
    throw new ConfigError(
      "Cannot start the tasks function: set PUBLIC_URL or TASKS_CALLBACK_URL (the URL QStash delivers to)",
    );
  }
  const registry = options.registry ?? createTaskRegistry(TASK_KINDS);

  const app = createFunctionApp("tasks", services);
  app.route(
    "/",
    qstashRoutes(services, {
      callbackUrl,
      currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY!,
      nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY!,
      runner: {
        db: services.db,
        log: services.log.child({ fn: "tasks" }),
        registry,
        transport: services.tasks.transport,
        timeBudgetMs: config.TASKS_TIME_BUDGET_MS,
        leaseMs: config.TASKS_LEASE_MS,
        staleAfterMs: config.TASKS_STALE_AFTER_MS,
        tasks: services.tasks,
      },
    }),
  );
  app.route("/", jobEventsRoutes(services));
  // Registered after the routes above, which check their own credentials.
  app.use(requireUser(services.auth));
  app.route("/", jobsRoutes(services));
  app.route("/", probeRoutes(services));
  return app;
}
