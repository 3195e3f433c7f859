import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { JwtClaims } from "../../../shared/db/mod.ts";
import {
  type AppEnv,
  HttpError,
  readJson,
  readParam,
  readQuery,
  type Services,
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

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
/** A stream ends after this long; EventSource reconnects (edge functions cap wall time). */
const STREAM_MAX_MS = 110_000;
const KEEPALIVE_MS = 15_000;

/** Start, list and read runs; per-check verdicts. */
export function runRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post("/runs", async (c) => {
    const input = await readJson(c, startRunSchema);
    const data = await startRun(services, c.get("claims"), input);
    c.get("log").info("analysis queued", { runId: data.run.id, jobId: data.job.id });
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

  routes.get("/runs/:runId/events", async (c) => {
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
    const runId = readParam(c, "runId", z.uuid());
    const first = await getRunProgress(services.db, claims, runId);
    if (!first) throw new HttpError(404, RUN_NOT_FOUND);
    const pollMs = services.config.TASKS_SSE_POLL_MS;
    c.header("Cache-Control", "no-store");
    c.header("X-Accel-Buffering", "no");

    return streamSSE(c, async (stream) => {
      const started = Date.now();
      let progress: typeof first | null = first;
      let last = "";
      let quietSince = Date.now();
      while (!stream.aborted && !stream.closed) {
        if (!progress) {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ status: "deleted" }) });
          return;
        }
        const stamp = `${progress.status}|${progress.checks_done}|${progress.progress}`;
        if (stamp !== last) {
          await stream.writeSSE({
            event: "progress",
            id: stamp,
            data: JSON.stringify(progress),
            ...(last === "" ? { retry: 2000 } : {}),
          });
          last = stamp;
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= KEEPALIVE_MS) {
          await stream.write(": keep-alive\n\n");
          quietSince = Date.now();
        }
        if (FINISHED.has(progress.status)) {
          await stream.writeSSE({
            event: "end",
            data: JSON.stringify({ status: progress.status }),
          });
          return;
        }
        if (Date.now() - started >= STREAM_MAX_MS) return;
        await stream.sleep(pollMs);
        progress = await getRunProgress(services.db, claims, runId);
      }
    }, async (error, stream) => {
      c.get("log").error("analysis event stream failed", { error });
      await stream.writeSSE({
        event: "error",
        data: JSON.stringify({ message: "The progress stream failed; poll the run instead" }),
      });
    });
  });

  return routes;
}
