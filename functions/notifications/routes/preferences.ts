import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  ensureDailySchedule,
  getPreferences,
  preferencesSchema,
  updatePreferences,
  updatePreferencesSchema,
} from "../../../shared/notifications/mod.ts";

const orgParams = z.object({ orgId: z.uuid() });

/** `GET/PUT /:orgId/preferences`: each member's own notification preferences. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function preferencesRoutes(services: Services) {
  const { db } = services;
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/:orgId/preferences",
        summary: "Your notification preferences: events per channel, digest, unsubscribes",
        auth: "user",
        permission: "notifications.read",
        params: orgParams,
        responses: { 200: { description: "Your preferences", schema: dataOf(preferencesSchema) } },
      },
      async (c, { params }) =>
        c.json({
          data: await db.asTenant(c.get("claims"), (tx) => getPreferences(tx, params.orgId)),
        }),
    )
    .on({
      method: "put",
      path: "/:orgId/preferences",
      summary: "Change your notification preferences",
      description: "Events left out keep their choice. A daily or weekly digest gathers the " +
        "emails you chose instead of sending each at once.",
      auth: "user",
      permission: "notifications.read",
      params: orgParams,
      body: updatePreferencesSchema,
      responses: { 200: { description: "Your preferences", schema: dataOf(preferencesSchema) } },
    }, async (c, { params, body }) => {
      const data = await db.asTenant(
        c.get("claims"),
        (tx) => updatePreferences(tx, params.orgId, body),
      );
      if (data.digest !== "off") await ensureDailySchedule(services.tasks, params.orgId);
      return c.json({ data });
    });
}
