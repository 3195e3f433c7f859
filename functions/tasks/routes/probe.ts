import { z } from "zod";
import {
  createRouteGroup,
  dataOf,
  type RouteGroup,
  type Services,
} from "../../../shared/http/mod.ts";
import { requirePermission } from "../../../shared/organizations/mod.ts";
import { jobSchema, probePayloadSchema, probeTask } from "../../../shared/tasks/mod.ts";

const probeBodySchema = probePayloadSchema.extend({ org_id: z.uuid() }).strict();

/** `POST /probe`: an admin starts a diagnostic job that exercises background work. */
export function probeRoutes(services: Services): RouteGroup {
  return createRouteGroup().on({
    method: "post",
    path: "/probe",
    summary: "Start a diagnostic job",
    auth: "user",
    permission: "jobs.probe",
    body: probeBodySchema,
    responses: { 202: { description: "The queued job", schema: dataOf(jobSchema) } },
  }, async (c, { body }) => {
    const { org_id: orgId, ...payload } = body;
    await services.db.asTenant(c.get("claims"), (tx) => requirePermission(tx, orgId, "jobs.probe"));
    const job = await services.tasks.enqueue(probeTask, payload, {
      orgId,
      subject: "probe",
      actorUserId: c.get("userId"),
    });
    return c.json({ data: job }, 202);
  });
}
