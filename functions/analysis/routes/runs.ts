import { z } from "zod";
import {
  createRouteGroup,
  dataOf,
  HttpError,
  pageOf,
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
  queuedRunSchema,
  RUN_NOT_FOUND,
  runCheckDetailSchema,
  runCheckItemSchema,
  runDetailSchema,
  runFrameworkSchema,
  runListItemSchema,
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

const runParams = z.object({ runId: z.uuid() });
const checkIdSchema = z.string().regex(/^[a-z0-9_]{1,100}$/);
const frameworkIdSchema = z.string().regex(/^[a-z0-9_]{1,60}$/);

/** Start, list and read runs; per-check verdicts. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function runRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "post",
      path: "/runs",
      summary: "Start an analysis of an instance (every check, a framework's, or a list)",
      auth: "api_key",
      permission: "runs.start",
      body: startRunSchema,
      responses: {
        202: { description: "The queued run and its job", schema: dataOf(queuedRunSchema) },
      },
    }, async (c, { body }) => {
      const data = await startRun(services, c.get("claims"), body);
      c.get("log").info("analysis queued", { runId: data.run.id, jobId: data.job.id });
      await invalidatePosture(services.cache, data.run.org_id, "run_started");
      return c.json({ data }, 202);
    })
    .on(
      {
        method: "get",
        path: "/runs",
        summary: "An instance's runs, newest first",
        auth: "api_key",
        permission: "runs.read",
        query: z.object({
          instance_id: z.uuid(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.string().max(500).optional(),
        }),
        responses: { 200: { description: "A page of runs", schema: pageOf(runListItemSchema) } },
      },
      async (c, { query }) =>
        c.json(await listRuns(services.db, c.get("claims"), query.instance_id, query)),
    )
    .on(
      {
        method: "get",
        path: "/runs/:runId",
        summary: "One run: progress, and once finished its scores, summary and explanation",
        auth: "api_key",
        permission: "runs.read",
        params: runParams,
        responses: { 200: { description: "The run", schema: dataOf(runDetailSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await getRun(services.db, c.get("claims"), params.runId) }),
    )
    .on(
      {
        method: "get",
        path: "/runs/:runId/checks",
        summary: "Every check's verdict in a run",
        auth: "api_key",
        permission: "runs.read",
        params: runParams,
        responses: {
          200: { description: "The verdicts", schema: dataOf(z.array(runCheckItemSchema)) },
        },
      },
      async (c, { params }) =>
        c.json({ data: await listRunChecks(services.db, c.get("claims"), params.runId) }),
    )
    .on({
      method: "get",
      path: "/runs/:runId/checks/:checkId",
      summary: "One check's verdict in a run, with its evidence",
      auth: "api_key",
      permission: "runs.read",
      params: z.object({ runId: z.uuid(), checkId: checkIdSchema }),
      responses: { 200: { description: "The verdict", schema: dataOf(runCheckDetailSchema) } },
    }, async (c, { params }) => {
      const data = await getRunCheck(services.db, c.get("claims"), params.runId, params.checkId);
      return c.json({ data });
    })
    .on({
      method: "get",
      path: "/runs/:runId/frameworks/:frameworkId",
      summary: "A framework in a run, requirement by requirement",
      auth: "api_key",
      permission: "runs.read",
      params: z.object({ runId: z.uuid(), frameworkId: frameworkIdSchema }),
      responses: { 200: { description: "The framework", schema: dataOf(runFrameworkSchema) } },
    }, async (c, { params }) => {
      const claims = c.get("claims");
      const data = await getRunFramework(services.db, claims, params.runId, params.frameworkId);
      return c.json({ data });
    });
}

/**
 * `GET /runs/:runId/events`: live progress as Server-Sent Events — a `progress`
 * event with the run's progress whenever it changes, then `end` once it has
 * finished. The token comes in the Authorization header or as `?access_token=`.
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function runEventRoutes(services: Services) {
  return createRouteGroup().on({
    method: "get",
    path: "/runs/:runId/events",
    summary: "A run's live progress as Server-Sent Events",
    description: "A `progress` event whenever the run's progress changes, then `end` once it " +
      "has finished.",
    auth: "user",
    tokenInQuery: true,
    permission: "runs.read",
    params: z.object({ runId: z.uuid() }),
    responses: { 200: { description: "The event stream", contentType: "text/event-stream" } },
  }, async (c, { params }) => {
    const claims = c.get("claims");
    const first = await getRunProgress(services.db, claims, params.runId);
    if (!first) throw new HttpError(404, RUN_NOT_FOUND);
    return streamProgress(c, {
      event: "progress",
      first,
      read: () => getRunProgress(services.db, claims, params.runId),
      stamp: (progress) => `${progress.status}|${progress.checks_done}|${progress.progress}`,
      status: (progress) => progress.status,
      pollMs: services.config.TASKS_SSE_POLL_MS,
      noun: "run",
      logMessage: "analysis event stream failed",
    });
  });
}
