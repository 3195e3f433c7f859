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
  checkSettingsSchema,
  getCheckDetail,
  getFramework,
  listChecks,
  listChecksQuerySchema,
  listFrameworks,
  putCheckSettings,
} from "../../../shared/analysis/mod.ts";

const checkId = z.string().regex(/^[a-z0-9_]{1,100}$/, "is not a check id");

/** The catalog, frameworks and per-organization check settings. */
export function catalogRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/catalog", async (c) => {
    const query = readQuery(c, listChecksQuerySchema);
    return c.json({ data: await listChecks(services.db, c.get("claims"), query) });
  });

  routes.get("/catalog/:checkId", async (c) => {
    const id = readParam(c, "checkId", checkId);
    const { org_id } = readQuery(c, z.object({ org_id: z.uuid() }));
    return c.json({ data: await getCheckDetail(services.db, c.get("claims"), org_id, id) });
  });

  routes.put("/catalog/:checkId/settings", async (c) => {
    const id = readParam(c, "checkId", checkId);
    const input = await readJson(c, checkSettingsSchema);
    const data = await putCheckSettings(services.db, c.get("claims"), id, input);
    c.get("log").info("check settings changed", { checkId: id, orgId: input.org_id });
    return c.json({ data });
  });

  routes.get("/frameworks", (c) => c.json({ data: listFrameworks() }));

  routes.get("/frameworks/:frameworkId", (c) => {
    const id = readParam(c, "frameworkId", z.string().regex(/^[a-z0-9_]{1,60}$/));
    return c.json({ data: getFramework(id) });
  });

  return routes;
}
