// The tasks function: the QStash callback endpoint, and the jobs API.
//
// Each route declares who may call it (see routes/*.ts and GET /tasks/openapi.json):
// the QStash callback takes signed deliveries only, the jobs API signed-in members.
import { ConfigError } from "../../shared/env/mod.ts";
import {
  dispatchAfterSyncEnded,
  dispatchDueSyncs,
  syncDispatchLimits,
} from "../../shared/instances/mod.ts";
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { notifyJobEnded, notifySecurityEvents } from "../../shared/notifications/mod.ts";
import { createTaskRegistry, taskCallbackUrl, type TaskRegistry } from "../../shared/tasks/mod.ts";
import { TASK_KINDS } from "./kinds.ts";
import { jobsRoutes } from "./routes/jobs.ts";
import { probeRoutes } from "./routes/probe.ts";
import { qstashRoutes, qstashVerifier } from "./routes/qstash.ts";

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
  const dispatchDeps = {
    db: services.db,
    log: services.log.child({ fn: "tasks" }),
    tasks: services.tasks,
  };

  const app = createFunctionApp("tasks", services, {
    description: "Background work: the QStash callback, and jobs with their progress",
    worker: qstashVerifier({
      callbackUrl,
      currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY!,
      nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY!,
    }),
  });
  app.route(
    "/",
    qstashRoutes(
      {
        db: services.db,
        log: services.log.child({ fn: "tasks" }),
        registry,
        transport: services.tasks.transport,
        timeBudgetMs: config.TASKS_TIME_BUDGET_MS,
        leaseMs: config.TASKS_LEASE_MS,
        staleAfterMs: config.TASKS_STALE_AFTER_MS,
        tasks: services.tasks,
        systemActions: {
          dispatch_syncs: async () => ({
            ...await dispatchDueSyncs(dispatchDeps, syncDispatchLimits(config)),
          }),
          security_alerts: () => notifySecurityEvents(services),
        },
      },
      services.cache,
      async (job) => {
        await notifyJobEnded(services, job);
        await dispatchAfterSyncEnded(dispatchDeps, syncDispatchLimits(config), job.kind);
      },
    ).app,
  );
  app.route("/", jobsRoutes(services).app);
  app.route("/", probeRoutes(services).app);
  return app;
}
