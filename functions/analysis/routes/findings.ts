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
  getFinding,
  listFindings,
  listFindingsQuerySchema,
  setTriage,
  triageSchema,
} from "../../../shared/analysis/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

/** Findings of a run, one finding in full, and triage. */
export function findingRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/findings", async (c) => {
    const query = readQuery(c, listFindingsQuerySchema);
    return c.json(await listFindings(services.db, c.get("claims"), query));
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
    const [finding] = await services.db.readAsTenant(
      c.get("claims"),
      (tx) =>
        tx<{ org_id: string }[]>`select org_id from public.analysis_findings where id = ${id}`,
    );
    if (finding) await invalidatePosture(services.cache, finding.org_id, "triage");
    return c.json({ data });
  });

  return routes;
}
