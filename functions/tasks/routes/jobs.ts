import { Hono } from "hono";
import { z } from "zod";
import {
  type AppEnv,
  HttpError,
  readParam,
  readQuery,
  requireUser,
  type Services,
  streamProgress,
} from "../../../shared/http/mod.ts";
import {
  getJob,
  listJobDeliveries,
  listJobs,
  listJobsQuerySchema,
} from "../../../shared/tasks/mod.ts";

/** `GET /jobs`, `GET /jobs/:jobId`, its deliveries, and `POST /jobs/:jobId/cancel`. */
export function jobsRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/jobs", async (c) => {
    const query = readQuery(c, listJobsQuerySchema);
    return c.json(await listJobs(services.db, c.get("claims"), query));
  });

  routes.get("/jobs/:jobId", async (c) => {
    const jobId = readParam(c, "jobId", z.uuid());
    return c.json({ data: await getJob(services.db, c.get("claims"), jobId) });
  });

  routes.get("/jobs/:jobId/deliveries", async (c) => {
    const jobId = readParam(c, "jobId", z.uuid());
    await getJob(services.db, c.get("claims"), jobId);
    return c.json({ data: await listJobDeliveries(services.db, c.get("claims"), jobId) });
  });

  routes.post("/jobs/:jobId/cancel", async (c) => {
    const jobId = readParam(c, "jobId", z.uuid());
    return c.json({ data: await services.tasks.cancel(c.get("claims"), jobId) });
  });

  return routes;
}

/**
 * `GET /jobs/:jobId/events`: live progress as Server-Sent Events. One `job`
 * event with the job's JSON whenever it changes, then `end` once it finishes.
 * The token comes in the Authorization header, or as `?access_token=` for
 * browsers' EventSource, which cannot set headers. Clients without SSE poll
 * `GET /jobs/:jobId` instead.
 */
export function jobEventsRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/jobs/:jobId/events", requireUser(services.auth, { queryToken: true }), async (c) => {
    const claims = c.get("claims");
    const jobId = readParam(c, "jobId", z.uuid());
    const first = await getJob(services.db, claims, jobId);
    return streamProgress(c, {
      event: "job",
      first,
      read: () =>
        getJob(services.db, claims, jobId).catch((error) => {
          if (error instanceof HttpError && error.status === 404) return null;
          throw error;
        }),
      stamp: (job) => `${new Date(job.updated_at).toISOString()}|${job.status}|${job.progress}`,
      status: (job) => job.status,
      pollMs: services.config.TASKS_SSE_POLL_MS,
      noun: "job",
      logMessage: "job event stream failed",
    });
  });

  return routes;
}
