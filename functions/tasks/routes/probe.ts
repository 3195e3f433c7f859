import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readJson, type Services } from "../../../shared/http/mod.ts";
import { requirePermission } from "../../../shared/organizations/mod.ts";
import { probePayloadSchema, probeTask } from "../../../shared/tasks/mod.ts";

const probeBodySchema = probePayloadSchema.extend({ org_id: z.uuid() }).strict();

/** `POST /probe`: an admin starts a diagnostic job that exercises background work. */
export function probeRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post("/probe", async (c) => {
    const { org_id: orgId, ...payload } = await readJson(c, probeBodySchema);
    await services.db.asTenant(c.get("claims"), (tx) => requirePermission(tx, orgId, "jobs.probe"));
    const job = await services.tasks.enqueue(probeTask, payload, {
      orgId,
      subject: "probe",
      actorUserId: c.get("userId"),
    });
    return c.json({ data: job }, 202);
  });

  return routes;
}
