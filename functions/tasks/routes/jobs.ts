import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { JwtClaims } from "../../../shared/db/mod.ts";
import {
  type AppEnv,
  HttpError,
  readParam,
  readQuery,
  type Services,
} from "../../../shared/http/mod.ts";
import {
  getJob,
  type Job,
  listJobDeliveries,
  listJobs,
  listJobsQuerySchema,
} from "../../../shared/tasks/mod.ts";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
/** A stream ends after this long; EventSource reconnects (edge functions cap wall time). */
const STREAM_MAX_MS = 110_000;
const KEEPALIVE_MS = 15_000;

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

  routes.get("/jobs/:jobId/events", async (c) => {
    const header = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = header ?? c.req.query("access_token");
    if (!token) {
      throw new HttpError(401, "Sign in first: this endpoint needs a bearer token", {
        code: "missing_token",
      });
    }
    const claims: JwtClaims = await services.auth.verify(token);
    c.set("claims", claims);
    c.set("userId", claims.sub);
    const jobId = readParam(c, "jobId", z.uuid());
    const first = await getJob(services.db, claims, jobId);
    const pollMs = services.config.TASKS_SSE_POLL_MS;
    c.header("Cache-Control", "no-store");
    c.header("X-Accel-Buffering", "no");

    return streamSSE(c, async (stream) => {
      const started = Date.now();
      let job: Job | null = first;
      let last = "";
      let quietSince = Date.now();
      while (!stream.aborted && !stream.closed) {
        if (!job) {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ status: "deleted" }) });
          return;
        }
        const stamp = `${new Date(job.updated_at).toISOString()}|${job.status}|${job.progress}`;
        if (stamp !== last) {
          await stream.writeSSE({
            event: "job",
            id: stamp,
            data: JSON.stringify(job),
            ...(last === "" ? { retry: 2000 } : {}),
          });
          last = stamp;
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= KEEPALIVE_MS) {
          await stream.write(": keep-alive\n\n");
          quietSince = Date.now();
        }
        if (FINISHED.has(job.status)) {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ status: job.status }) });
          return;
        }
        if (Date.now() - started >= STREAM_MAX_MS) return;
        await stream.sleep(pollMs);
        job = await getJob(services.db, claims, jobId).catch((error) => {
          if (error instanceof HttpError && error.status === 404) return null;
          throw error;
        });
      }
    }, async (error, stream) => {
      c.get("log").error("job event stream failed", { error });
      await stream.writeSSE({
        event: "error",
        data: JSON.stringify({ message: "The progress stream failed; poll the job instead" }),
      });
    });
  });

  return routes;
}
