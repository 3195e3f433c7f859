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
  createSuppression,
  createSuppressionSchema,
  listSuppressions,
  listSuppressionsQuerySchema,
  revokeSuppression,
} from "../../../shared/analysis/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

/** Muting findings and checks, and revoking mutes. */
export function suppressionRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/suppressions", async (c) => {
    const query = readQuery(c, listSuppressionsQuerySchema);
    return c.json({ data: await listSuppressions(services.db, c.get("claims"), query) });
  });

  routes.post("/suppressions", async (c) => {
    const input = await readJson(c, createSuppressionSchema);
    const data = await createSuppression(services.db, c.get("claims"), input);
    c.get("log").info("suppression created", { suppressionId: data.id, scope: data.scope });
    await invalidatePosture(services.cache, data.org_id, "suppression");
    return c.json({ data }, 201);
  });

  routes.post("/suppressions/:id/revoke", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const data = await revokeSuppression(services.db, c.get("claims"), id);
    c.get("log").info("suppression revoked", { suppressionId: id });
    await invalidatePosture(services.cache, data.org_id, "suppression");
    return c.json({ data });
  });

  return routes;
}
