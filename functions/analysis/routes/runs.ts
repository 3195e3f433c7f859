import { Hono } from "hono";
import { z } from "zod";
import {
  type AppEnv,
  HttpError,
  readJson,
  readParam,
  readQuery,
  requireUser,
  type Services,
  streamProgress,
} from "../../../shared/http/mod.ts";
import {
  getRun,
  getRunCheck,
  getRunFramework,
  getRunProgress,
  listRunChecks,
  listRuns,
  RUN_NOT_FOUND,
  startRun,
} from "../../../shared/analysis/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

const scopeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("all") }),
  z.object({ type: z.literal("framework"), framework: z.string().regex(/^[a-z0-9_]{1,60}$/) }),
  z.object({
    type: z.literal("checks"),
    checks: z.array(z.string().regex(/^[a-z0-9_]{1,100}$/)).min(1).max(1000),
  }),
]);

const startRunSchema = z.object({
  instance_id: z.uuid(),
  scope: scopeSchema.default({ type: "all" }),
});

/** Start, list and read runs; per-check verdicts. */
export function runRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post("/runs", async (c) => {
    const input = await readJson(c, startRunSchema);
    const data = await startRun(services, c.get("claims"), input);
    c.get("log").info("analysis queued", { runId: data.run.id, jobId: data.job.id });
    await invalidatePosture(services.cache, data.run.org_id, "run_started");
    return c.json({ data }, 202);
  });

  routes.get("/runs", async (c) => {
    const query = readQuery(
      c,
      z.object({
        instance_id: z.uuid(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: z.string().max(500).optional(),
      }),
    );
    return c.json(await listRuns(services.db, c.get("claims"), query.instance_id, query));
  });

  routes.get("/runs/:runId", async (c) => {
    const runId = readParam(c, "runId", z.uuid());
    return c.json({ data: await getRun(services.db, c.get("claims"), runId) });
  });

  routes.get("/runs/:runId/checks", async (c) => {
    const runId = readParam(c, "runId", z.uuid());
    return c.json({ data: await listRunChecks(services.db, c.get("claims"), runId) });
  });

  routes.get("/runs/:runId/checks/:checkId", async (c) => {
    const runId = readParam(c, "runId", z.uuid());
    const checkId = readParam(c, "checkId", z.string().regex(/^[a-z0-9_]{1,100}$/));
    return c.json({ data: await getRunCheck(services.db, c.get("claims"), runId, checkId) });
  });

  routes.get("/runs/:runId/frameworks/:frameworkId", async (c) => {
    const runId = readParam(c, "runId", z.uuid());
    const frameworkId = readParam(c, "frameworkId", z.string().regex(/^[a-z0-9_]{1,60}$/));
    return c.json({
      data: await getRunFramework(services.db, c.get("claims"), runId, frameworkId),
    });
  });

  return routes;
}

/**
 * `GET /runs/:runId/events`: live progress as Server-Sent Events — a `progress`
 * event with the run's progress whenever it changes, then `end` once it has
 * finished. The token comes in the Authorization header or as `?access_token=`.
 */
export function runEventRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/runs/:runId/events", requireUser(services.auth, { queryToken: true }), async (c) => {
    const claims = c.get("claims");
    const runId = readParam(c, "runId", z.uuid());
    const first = await getRunProgress(services.db, claims, runId);
    if (!first) throw new HttpError(404, RUN_NOT_FOUND);
    return streamProgress(c, {
      event: "progress",
      first,
      read: () => getRunProgress(services.db, claims, runId),
      stamp: (progress) => `${progress.status}|${progress.checks_done}|${progress.progress}`,
      status: (progress) => progress.status,
      pollMs: services.config.TASKS_SSE_POLL_MS,
      noun: "run",
      logMessage: "analysis event stream failed",
    });
  });

  return routes;
}
