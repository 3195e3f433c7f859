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

/** Query of `GET /jobs/events`. */
export const orgJobEventsQuerySchema = z.object({
  org_id: z.uuid(),
  /** For EventSource, which cannot send headers. */
  access_token: z.string().max(8192).optional(),
}).strict();

/** Jobs an organization stream carries: the newest ones, whatever their status. */
const ORG_STREAM_JOBS = 25;

/**
 * `GET /jobs/events?org_id=…`: the organization's newest jobs as Server-Sent
 * Events — one `jobs` event (`{"data": [job…]}`, newest first) whenever any of
 * them changes (created, progressed, finished). Pages that show aggregates
 * (the dashboard) refresh when a sync or a run in it finishes. The stream
 * closes after a while and EventSource reconnects. Token as for the job stream.
 *
 * `GET /jobs/:jobId/events`: live progress as Server-Sent Events. One `job`
 * event with the job's JSON whenever it changes, then `end` once it finishes.
 * The token comes in the Authorization header, or as `?access_token=` for
 * browsers' EventSource, which cannot set headers. Clients without SSE poll
 * `GET /jobs/:jobId` instead.
 */
export function jobEventsRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/jobs/events", requireUser(services.auth, { queryToken: true }), async (c) => {
    const claims = c.get("claims");
    const { org_id } = readQuery(c, orgJobEventsQuerySchema);
    const read = async () =>
      (await listJobs(services.db, claims, { org_id, limit: ORG_STREAM_JOBS })).data;
    return streamProgress(c, {
      event: "jobs",
      first: await read(),
      read,
      // Never empty: the first event is sent even when there are no jobs yet.
      stamp: (jobs) =>
        `jobs:${
          jobs.map((j) => `${j.id}:${j.status}:${new Date(j.updated_at).getTime()}`).join("|")
        }`,
      // An organization's stream never "finishes"; it closes on its time limit.
      status: () => "open",
      pollMs: services.config.TASKS_SSE_POLL_MS,
      noun: "jobs list",
      logMessage: "organization job event stream failed",
    }, (jobs) => ({ data: jobs }));
  });

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
