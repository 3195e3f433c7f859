import { z } from "zod";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import {
  authorizeInstance,
  getSyncRun,
  instanceSchema,
  instanceTableSchema,
  listInstanceTables,
  listSyncRuns,
  listSyncsQuerySchema,
  putScheduleSchema,
  queuedSyncSchema,
  setSyncSchedule,
  startSync,
  startSyncSchema,
  syncRunDetailSchema,
  syncRunSummarySchema,
} from "../../../shared/instances/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

const idParams = z.object({ id: z.uuid() });

/** Sync now, sync history, per-table state and the sync schedule. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function syncRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "post",
      path: "/:id/sync",
      summary: "Start a sync (incremental unless the body asks for full)",
      auth: "api_key",
      permission: "instances.sync",
      params: idParams,
      body: startSyncSchema,
      bodyOptional: true,
      responses: {
        202: { description: "The queued run and its job", schema: dataOf(queuedSyncSchema) },
      },
    }, async (c, { params, body }) => {
      const mode = body?.mode ?? "incremental";
      const data = await startSync(services, c.get("claims"), params.id, mode);
      c.get("log").info("sync queued", {
        instanceId: params.id,
        runId: data.run.id,
        jobId: data.job.id,
      });
      await invalidatePosture(services.cache, data.job.org_id, "sync_started");
      return c.json({ data }, 202);
    })
    .on({
      method: "get",
      path: "/:id/syncs",
      summary: "Sync history, newest first",
      auth: "api_key",
      permission: "instances.read",
      params: idParams,
      query: listSyncsQuerySchema,
      responses: { 200: { description: "A page of runs", schema: pageOf(syncRunSummarySchema) } },
    }, async (c, { params, query }) => {
      const result = await listSyncRuns(services.db, c.get("claims"), params.id, query);
      return c.json(result);
    })
    .on({
      method: "get",
      path: "/:id/syncs/:runId",
      summary: "One sync run with per-table figures",
      auth: "api_key",
      permission: "instances.read",
      params: z.object({ id: z.uuid(), runId: z.uuid() }),
      responses: { 200: { description: "The run", schema: dataOf(syncRunDetailSchema) } },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(c.get("claims"), async (tx) => {
        await authorizeInstance(tx, params.id, "instances.read");
        return await getSyncRun(tx, params.id, params.runId);
      });
      return c.json({ data });
    })
    .on({
      method: "get",
      path: "/:id/tables",
      summary: "The instance's tables: readable or not, counts, high-water marks",
      auth: "api_key",
      permission: "instances.read",
      params: idParams,
      responses: {
        200: { description: "The tables", schema: dataOf(z.array(instanceTableSchema)) },
      },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(c.get("claims"), async (tx) => {
        await authorizeInstance(tx, params.id, "instances.read");
        return await listInstanceTables(tx, params.id);
      });
      return c.json({ data });
    })
    .on({
      method: "put",
      path: "/:id/schedule",
      summary: "Set the sync schedule ({cron, timezone}), or clear it with null",
      auth: "user",
      permission: "instances.schedule",
      params: idParams,
      body: putScheduleSchema,
      responses: { 200: { description: "The instance", schema: dataOf(instanceSchema) } },
    }, async (c, { params, body }) => {
      const data = await setSyncSchedule(services, c.get("claims"), params.id, body.schedule);
      return c.json({ data });
    });
}
