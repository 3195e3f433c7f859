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
  getJob,
  jobDeliverySchema,
  jobSchema,
  listJobDeliveries,
  listJobs,
  listJobsQuerySchema,
} from "../../../shared/tasks/mod.ts";

const jobParams = z.object({ jobId: z.uuid() });

/** Query of `GET /jobs/events`. */
export const orgJobEventsQuerySchema = z.object({
  org_id: z.uuid(),
  /** For EventSource, which cannot send headers. */
  access_token: z.string().max(8192).optional(),
}).strict();

/** Jobs an organization stream carries: the newest ones, whatever their status. */
const ORG_STREAM_JOBS = 25;

/**
 * `GET /jobs`, the organization's job stream, `GET /jobs/:jobId`, its
 * deliveries, its live events and `POST /jobs/:jobId/cancel`.
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function jobsRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/jobs",
      summary: "An organization's jobs, newest first",
      auth: "api_key",
      permission: "jobs.read",
      query: listJobsQuerySchema,
      responses: { 200: { description: "A page of jobs", schema: pageOf(jobSchema) } },
    }, async (c, { query }) => c.json(await listJobs(services.db, c.get("claims"), query)))
    // Before `/jobs/:jobId`, which would otherwise take "events" for an id.
    .on({
      method: "get",
      path: "/jobs/events",
      summary: "An organization's newest jobs as Server-Sent Events",
      description: 'One `jobs` event (`{"data": [job…]}`, newest first) whenever any of them ' +
        "changes (created, progressed, finished); pages that show aggregates refresh when a " +
        "sync or run finishes. The stream closes after a while and EventSource reconnects.",
      auth: "user",
      tokenInQuery: true,
      permission: "jobs.read",
      query: orgJobEventsQuerySchema,
      responses: { 200: { description: "The event stream", contentType: "text/event-stream" } },
    }, async (c, { query }) => {
      const claims = c.get("claims");
      const read = async () =>
        (await listJobs(services.db, claims, { org_id: query.org_id, limit: ORG_STREAM_JOBS }))
          .data;
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
    })
    .on(
      {
        method: "get",
        path: "/jobs/:jobId",
        summary: "One job: status, progress, result or error",
        auth: "api_key",
        permission: "jobs.read",
        params: jobParams,
        responses: { 200: { description: "The job", schema: dataOf(jobSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await getJob(services.db, c.get("claims"), params.jobId) }),
    )
    .on({
      method: "get",
      path: "/jobs/:jobId/deliveries",
      summary: "The deliveries that ran parts of a job, oldest first",
      auth: "api_key",
      permission: "jobs.read",
      params: jobParams,
      responses: {
        200: { description: "The deliveries", schema: dataOf(z.array(jobDeliverySchema)) },
      },
    }, async (c, { params }) => {
      await getJob(services.db, c.get("claims"), params.jobId);
      return c.json({
        data: await listJobDeliveries(services.db, c.get("claims"), params.jobId),
      });
    })
    .on(
      {
        method: "post",
        path: "/jobs/:jobId/cancel",
        summary: "Cancel a queued or running job",
        auth: "user",
        permission: "jobs.cancel",
        params: jobParams,
        responses: { 200: { description: "The job, cancelled", schema: dataOf(jobSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await services.tasks.cancel(c.get("claims"), params.jobId) }),
    )
    .on({
      method: "get",
      path: "/jobs/:jobId/events",
      summary: "A job's live progress as Server-Sent Events",
      description: "One `job` event with the job's JSON whenever it changes, then `end` once it " +
        "finishes. Clients without SSE poll `GET /jobs/:jobId` instead.",
      auth: "user",
      tokenInQuery: true,
      permission: "jobs.read",
      params: jobParams,
      responses: { 200: { description: "The event stream", contentType: "text/event-stream" } },
    }, async (c, { params }) => {
      const claims = c.get("claims");
      const first = await getJob(services.db, claims, params.jobId);
      return streamProgress(c, {
        event: "job",
        first,
        read: () =>
          getJob(services.db, claims, params.jobId).catch((error) => {
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
}
