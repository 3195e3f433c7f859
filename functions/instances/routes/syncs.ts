import { Hono } from "hono";
import { z } from "zod";
import {
  type AppEnv,
  readJson,
  readParam,
  readQuery,
  type Services,
} from "../../../shared/http/mod.ts";
import {
  authorizeInstance,
  getSyncRun,
  listInstanceTables,
  listSyncRuns,
  listSyncsQuerySchema,
  putScheduleSchema,
  setSyncSchedule,
  startSync,
  startSyncSchema,
} from "../../../shared/instances/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

/** Sync now, sync history, per-table state and the sync schedule. */
export function syncRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post("/:id/sync", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const raw = await c.req.text();
    const { mode } = raw.trim() === ""
      ? { mode: "incremental" as const }
      : await readJson(c, startSyncSchema);
    const data = await startSync(services, c.get("claims"), id, mode);
    c.get("log").info("sync queued", { instanceId: id, runId: data.run.id, jobId: data.job.id });
    await invalidatePosture(services.cache, data.job.org_id, "sync_started");
    return c.json({ data }, 202);
  });

  routes.get("/:id/syncs", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const page = readQuery(c, listSyncsQuerySchema);
    const result = await services.db.asTenant(c.get("claims"), async (tx) => {
      await authorizeInstance(tx, id, "viewer");
      return await listSyncRuns(tx, id, page);
    });
    return c.json(result);
  });

  routes.get("/:id/syncs/:runId", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const runId = readParam(c, "runId", z.uuid());
    const data = await services.db.asTenant(c.get("claims"), async (tx) => {
      await authorizeInstance(tx, id, "viewer");
      return await getSyncRun(tx, id, runId);
    });
    return c.json({ data });
  });

  routes.get("/:id/tables", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const data = await services.db.asTenant(c.get("claims"), async (tx) => {
      await authorizeInstance(tx, id, "viewer");
      return await listInstanceTables(tx, id);
    });
    return c.json({ data });
  });

  routes.put("/:id/schedule", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const { schedule } = await readJson(c, putScheduleSchema);
    const data = await setSyncSchedule(services, c.get("claims"), id, schedule);
    return c.json({ data });
  });

  return routes;
}
