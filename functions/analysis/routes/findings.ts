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
  bulkMute,
  bulkMuteSchema,
  bulkTriage,
  bulkTriageSchema,
  findingGroupsQuerySchema,
  getFinding,
  listFindingGroups,
  listFindings,
  listFindingsQuerySchema,
  setTriage,
  triageSchema,
} from "../../../shared/analysis/mod.ts";

/** Findings of a run, one finding in full, triage, and triage or mute of many at once. */
export function findingRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/findings", async (c) => {
    const query = readQuery(c, listFindingsQuerySchema);
    return c.json(await listFindings(services.db, c.get("claims"), query));
  });

  routes.get("/findings/groups", async (c) => {
    const query = readQuery(c, findingGroupsQuerySchema);
    return c.json(await listFindingGroups(services.db, c.get("claims"), query));
  });

  routes.post("/findings/bulk/triage", async (c) => {
    const input = await readJson(c, bulkTriageSchema);
    const data = await bulkTriage(services.db, c.get("claims"), input);
    c.get("log").info("findings triaged", { count: data.updated, state: input.state });
    return c.json({ data });
  });

  routes.post("/findings/bulk/mute", async (c) => {
    const input = await readJson(c, bulkMuteSchema);
    const data = await bulkMute(services.db, c.get("claims"), input);
    c.get("log").info("findings muted", { count: data.updated });
    return c.json({ data });
  });

  routes.get("/findings/:findingId", async (c) => {
    const id = readParam(c, "findingId", z.uuid());
    return c.json({ data: await getFinding(services.db, c.get("claims"), id) });
  });

  routes.put("/findings/:findingId/triage", async (c) => {
    const id = readParam(c, "findingId", z.uuid());
    const input = await readJson(c, triageSchema);
    const data = await setTriage(services.db, c.get("claims"), id, input);
    c.get("log").info("finding triaged", { findingId: id, state: input.state });
    return c.json({ data });
  });

  return routes;
}
